package org.vqsim.analysis.arrow;

/**
 * One row of reproduce.arrow: a published figure beside the model's. {@code modelled} and {@code
 * errorPct} are null when the figure is not yet reproducible.
 */
public record ReproduceRow(String scenario, String figure, String publishedKind, String published, double publishedValue, String unit,
    String relativeTo, Double modelled, Double errorPct, double tolerancePct, String judge, String status, String reason, boolean verified,
    String citation, String metric) {
  public static final String REPRODUCED = "reproduced", OFF = "off", NOT_YET = "not yet reproducible";
}
