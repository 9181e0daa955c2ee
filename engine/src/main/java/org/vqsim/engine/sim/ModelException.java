package org.vqsim.engine.sim;

/** The model cannot run with these parameters (e.g. a bounce pool too small for one request): a usage error, not a bug. */
public final class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }
}
