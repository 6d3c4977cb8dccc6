package io.tenantindex.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The order in which colos are tried: as configured (nearest first), except that a colo which just
 * failed is put last for a while, so requests do not each pay its timeout again. When every colo
 * is marked down they are all tried anyway, in the configured order.
 */
final class Failover {
    private final List<URI> colos;
    private final long downForNanos;
    private final LongSupplier nanoClock;
    /** colo → nanoClock time until which it counts as down. */
    private final Map<URI, Long> downUntil = new ConcurrentHashMap<>();

    Failover(List<URI> colos, Duration downFor, LongSupplier nanoClock) {
        if (colos.isEmpty()) {
            throw new IllegalArgumentException("at least one colo URL is needed");
        }
        this.colos = List.copyOf(colos);
        this.downForNanos = downFor.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Every colo, once: those not marked down in the configured order, then the ones marked down. */
    List<URI> order() {
        long now = nanoClock.getAsLong();
        List<URI> up = new ArrayList<>(colos.size());
        List<URI> down = new ArrayList<>();
        for (URI colo : colos) {
            Long until = downUntil.get(colo);
            (until != null && until - now > 0 ? down : up).add(colo);
        }
        up.addAll(down);
        return up;
    }

    void failed(URI colo) {
        downUntil.put(colo, nanoClock.getAsLong() + downForNanos);
    }

    void answered(URI colo) {
        downUntil.remove(colo);
    }

    /** True for the first configured colo: the one a client comes back to once it answers again. */
    boolean preferred(URI colo) {
        return colos.get(0).equals(colo);
    }

    List<URI> colos() {
        return colos;
    }
}
