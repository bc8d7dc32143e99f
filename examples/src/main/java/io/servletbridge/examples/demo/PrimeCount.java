package io.servletbridge.examples.demo;

/**
 * Counts the primes below a limit one slice at a time (a segmented sieve of Eratosthenes), so a job can report
 * progress between slices.
 */
final class PrimeCount {
    private final int limit;
    private final int slices;
    private final int[] basePrimes;
    private int nextSlice;
    private long count;
    private long largest;

    PrimeCount(int limit, int slices) {
        if (limit < 2 || slices < 1) {
            throw new IllegalArgumentException("limit >= 2 and slices >= 1 needed");
        }
        this.limit = limit;
        this.slices = slices;
        this.basePrimes = primesUpTo((int) Math.sqrt(limit) + 1);
    }

    int limit() {
        return limit;
    }

    boolean done() {
        return nextSlice == slices;
    }

    /** Sieves the next slice; returns the share of the work done so far, 0..100. */
    int step() {
        if (done()) {
            throw new IllegalStateException("all slices are sieved");
        }
        long size = (limit + (long) slices - 1) / slices;
        int low = (int) Math.min(limit, nextSlice * size);
        int high = (int) Math.min(limit, low + size);
        boolean[] composite = new boolean[high - low];
        for (int p : basePrimes) {
            long first = Math.max((long) p * p, (low + (long) p - 1) / p * p);
            for (long m = first; m < high; m += p) {
                composite[(int) (m - low)] = true;
            }
        }
        for (int n = Math.max(low, 2); n < high; n++) {
            if (!composite[n - low]) {
                count++;
                largest = n;
            }
        }
        nextSlice++;
        return nextSlice * 100 / slices;
    }

    long count() {
        return count;
    }

    long largest() {
        return largest;
    }

    private static int[] primesUpTo(int max) {
        boolean[] composite = new boolean[max + 1];
        int n = 0;
        int[] primes = new int[max + 1];
        for (int i = 2; i <= max; i++) {
            if (!composite[i]) {
                primes[n++] = i;
                for (long m = (long) i * i; m <= max; m += i) {
                    composite[(int) m] = true;
                }
            }
        }
        return java.util.Arrays.copyOf(primes, n);
    }
}
