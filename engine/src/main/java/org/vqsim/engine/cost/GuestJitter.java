package org.vqsim.engine.cost;

/**
 * The guest's stalls as a profile gives them ({@code guest_jitter_distribution}, or
 * {@code guest_jitter_distribution.STRATEGY}, in ns at {@code guest_jitter_exposure_ns}), by one rule for
 * block requests and network packets: a draw from the replay's seed and the request's number, on a
 * stream of the caller's, scaled — when the profile gives the reference exposure — by the square root of
 * the request's own exposure over it, since stalls along a path add up as independent pieces
 * (docs/CALIBRATION.md, guest jitter).
 */
public final class GuestJitter {
  private final ServiceDistribution draws;
  /** The reference exposure, ps; 0: draws are not scaled. */
  private final double referencePs;

  private GuestJitter(ServiceDistribution draws, double referencePs) {
    this.draws = draws;
    this.referencePs = referencePs;
  }

  /**
   * The jitter of {@code strategy}'s replays, or null when the profile has none — or, with
   * {@code needsExposure}, when it gives no reference exposure (a stall measured per block request cannot
   * be taken to another unit of work without the exposure it was measured at).
   */
  public static GuestJitter of(CostProfile p, String strategy, boolean needsExposure) {
    double exposureNs = p.guestJitterExposureNs();
    ServiceDistribution d = needsExposure && exposureNs <= 0 ? null : p.guestJitterFor(strategy);
    return d == null ? null : new GuestJitter(d, exposureNs * 1000.0);
  }

  /** The stall, ps, of request {@code index} whose exposure is {@code exposurePs} (unused when draws are not scaled). */
  public long ps(long seed, long index, long stream, long exposurePs) {
    double ns = draws.draw(seed, index, stream);
    if (referencePs > 0) ns *= Math.sqrt(Math.max(0, exposurePs) / referencePs);
    return Math.round(ns * 1000.0);
  }
}
