package dev.flightcache.server.flight;

import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.store.FileObjectStore;
import org.bson.BsonBinaryWriter;
import org.bson.io.BasicOutputBuffer;

/**
 * The {@code STATS} action: the store's counters as one BSON document, for operators and tools.
 * Field names are documented in docs/protocol.md; sizes are bytes.
 */
final class StatsAction {
  static final String TYPE = "STATS";

  private StatsAction() {}

  static byte[] encode(FileObjectStore store) {
    DiskBudget budget = store.budget();
    BasicOutputBuffer buffer = new BasicOutputBuffer(512);
    try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
      writer.writeStartDocument();
      writer.writeInt64("objects", store.objectCount());
      writer.writeInt64("storedBytes", budget.storedBytes());
      writer.writeInt64("reservedBytes", budget.reservedBytes());
      writer.writeInt64("budgetBytes", budget.settings().budgetBytes());
      writer.writeInt64("highWatermarkBytes", budget.settings().highWatermarkBytes());
      writer.writeInt64("lowWatermarkBytes", budget.lowWatermarkBytes());
      writer.writeInt64("hardLimitBytes", budget.settings().hardLimitBytes());
      writer.writeInt64("freeBytes", budget.freeBytes());
      writer.writeInt64("minFreeBytes", budget.settings().minFreeBytes());
      writer.writeStartDocument("evictions");
      for (EvictionReason reason : EvictionReason.values()) {
        writer.writeInt64(reason.name().toLowerCase(java.util.Locale.ROOT), store.policy().evictions(reason));
      }
      writer.writeEndDocument();
      writer.writeStartDocument("rejectedWrites");
      writer.writeInt64("full", budget.rejectedFull());
      writer.writeInt64("tooLarge", budget.rejectedTooLarge());
      writer.writeEndDocument();
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }
}
