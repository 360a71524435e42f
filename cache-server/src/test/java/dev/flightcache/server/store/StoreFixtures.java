package dev.flightcache.server.store;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.flightcache.server.eviction.BudgetSettings;
import java.io.IOException;
import java.nio.file.Path;

/** Stores for tests that are not about the budget: a budget far above anything they write. */
public final class StoreFixtures {
  /** 4 KiB blocks, 1 TiB budget, nothing kept free, no idle expiry. */
  public static final BudgetSettings ROOMY = new BudgetSettings(1L << 40, 0.95, 0.85, 1L << 40, 0, null, 4096);

  private StoreFixtures() {}

  public static FileObjectStore open(Path root, StoreLimits limits) throws IOException {
    return FileObjectStore.open(root, limits, ROOMY, () -> Long.MAX_VALUE, Ticker.systemTicker(), Runnable::run);
  }
}
