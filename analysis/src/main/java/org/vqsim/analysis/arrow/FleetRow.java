package org.vqsim.analysis.arrow;

/** One row of fleet.arrow. {@code iops} and {@code slowdownVsDirect} are null when the guest does not run. */
public record FleetRow(String platform, boolean accessPlatform, String guest, String outcome, String strategy, String reason, String profile,
    Double iops, Double slowdownVsDirect) {}
