/** Wire types shared by the server and the client: keys, refs, tickets, commands, schemas, BSON. */
package dev.flightcache.proto;
