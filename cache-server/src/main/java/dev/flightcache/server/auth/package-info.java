/**
 * Who may call and what they may do: principals and their grants, the token store on disk, signed
 * delegation tokens, and the Flight and gRPC hooks that authenticate each call (docs/security.md).
 */
package dev.flightcache.server.auth;
