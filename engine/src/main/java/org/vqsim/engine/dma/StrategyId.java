package org.vqsim.engine.dma;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.vqsim.engine.util.Names;

/**
 * The DMA strategies vqsim can replay, registered once with their CLI id and constructor. Adding a
 * strategy is one constant here and one final class in this package.
 */
public enum StrategyId {
  DIRECT("direct", "no ACCESS_PLATFORM: raw guest-physical addresses, no DMA API", "x86,power", ctx -> new DirectStrategy());

  public final String id;
  public final String description;
  /** Platforms ({@code x86}, {@code power}) whose profiles offer this strategy. */
  public final String platforms;
  private final Function<DmaContext, DmaStrategy> factory;

  StrategyId(String id, String description, String platforms, Function<DmaContext, DmaStrategy> factory) {
    this.id = id;
    this.description = description;
    this.platforms = platforms;
    this.factory = factory;
  }

  public DmaStrategy create(DmaContext ctx) { return factory.apply(ctx); }

  public boolean availableOn(String platform) { return List.of(platforms.split(",")).contains(platform); }

  public static List<String> ids() {
    List<String> l = new ArrayList<>();
    for (StrategyId s : values()) l.add(s.id);
    return l;
  }

  /** The strategy with this id; an {@link IllegalArgumentException} naming the closest id otherwise. */
  public static StrategyId of(String id) {
    for (StrategyId s : values()) if (s.id.equals(id)) return s;
    throw new IllegalArgumentException("unknown strategy '" + id + "'" + Names.didYouMean(id, ids()) + "; known: " + String.join(", ", ids()));
  }
}
