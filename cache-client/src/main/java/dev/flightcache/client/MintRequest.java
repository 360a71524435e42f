package dev.flightcache.client;

import dev.flightcache.proto.Permission;
import java.time.Duration;
import java.util.List;
import org.bson.BsonBinaryWriter;
import org.bson.io.BasicOutputBuffer;

/**
 * The body of the {@link dev.flightcache.proto.Protocol#ACTION_MINT_TOKEN} action: {@code {grants:
 * [{scope, perms: [..]}], ttl_seconds: int64, label: optional string}}, as docs/security.md and
 * docs/protocol.md describe it.
 *
 * @param label null for none
 */
record MintRequest(List<Grant> grants, Duration ttl, String label) {
  /** The BSON body. */
  public byte[] encode() {
    BasicOutputBuffer buffer = new BasicOutputBuffer(128);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeStartArray("grants");
      for (Grant grant : grants) {
        writer.writeStartDocument();
        writer.writeString("scope", grant.scope());
        writer.writeStartArray("perms");
        for (Permission permission : grant.permissions()) {
          writer.writeString(permission.wireName());
        }
        writer.writeEndArray();
        writer.writeEndDocument();
      }
      writer.writeEndArray();
      writer.writeInt64("ttl_seconds", ttl.toSeconds());
      if (label != null) {
        writer.writeString("label", label);
      }
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }
}
