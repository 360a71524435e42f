package dev.flightcache.bench.store;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Keys 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s, from a fixed seed. */
final class ZipfTrace {
  private final double[] cumulative;
  private final SplittableRandom random;

  ZipfTrace(int keys, double exponent, long seed) {
    cumulative = new double[keys];
    double sum = 0;
    for (int rank = 0; rank < keys; rank++) {
      sum += 1 / Math.pow(rank + 1, exponent);
      cumulative[rank] = sum;
    }
    for (int rank = 0; rank < keys; rank++) {
      cumulative[rank] /= sum;
    }
    random = new SplittableRandom(seed);
  }

  int next() {
    int found = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(found >= 0 ? found : -found - 1, cumulative.length - 1);
  }
}
