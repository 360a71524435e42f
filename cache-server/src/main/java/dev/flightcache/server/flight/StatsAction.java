package dev.flightcache.server.flight;

import dev.flightcache.server.eviction.DiskBudget;
import dev.flightcache.server.eviction.EvictionReason;
import dev.flightcache.server.quota.AppLimit;
import dev.flightcache.server.quota.AppQuotaUsage;
import dev.flightcache.server.quota.AppQuotas;
import dev.flightcache.server.store.FileObjectStore;
import org.bson.BsonBinaryWriter;
import org.bson.io.BasicOutputBuffer;

/**
 * The {@code STATS} action: the store's counters as one BSON document, for operators and tools.
 * Field names are documented in docs/protocol.md; sizes are bytes. Per-app quota usage and limits
 * are under {@code quotas}; a limit that is not set is null.
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
      writer.writeInt64("quota", store.quotas().rejectedWrites());
      writer.writeEndDocument();
      writer.writeInt64("evictedForRefusedWritesBytes", budget.evictedForRefusedWrites());
      writeQuotas(writer, store.quotas());
      writer.writeEndDocument();
    }
    return buffer.toByteArray();
  }

  /** {@code quotas: {default: {limits}, apps: {<app>: {usage and limits}}}}, apps by name. */
  private static void writeQuotas(BsonBinaryWriter writer, AppQuotas quotas) {
    writer.writeStartDocument("quotas");
    writer.writeStartDocument("default");
    writeLimit(writer, quotas.table().defaults());
    writer.writeEndDocument();
    writer.writeStartDocument("apps");
    for (AppQuotaUsage app : quotas.snapshot()) {
      writer.writeStartDocument(app.app());
      writer.writeInt64("storedBytes", app.storedBytes());
      writer.writeInt64("objects", app.storedObjects());
      writer.writeInt64("reservedBytes", app.reservedBytes());
      writer.writeInt64("reservedObjects", app.reservedObjects());
      writeLimit(writer, app.limit());
      writer.writeEndDocument();
    }
    writer.writeEndDocument();
    writer.writeEndDocument();
  }

  private static void writeLimit(BsonBinaryWriter writer, AppLimit limit) {
    writeLimit(writer, "maxBytes", limit.limitsBytes(), limit.maxBytes());
    writeLimit(writer, "maxObjects", limit.limitsObjects(), limit.maxObjects());
  }

  private static void writeLimit(BsonBinaryWriter writer, String name, boolean limited, long value) {
    if (limited) {
      writer.writeInt64(name, value);
    } else {
      writer.writeNull(name);
    }
  }
}
