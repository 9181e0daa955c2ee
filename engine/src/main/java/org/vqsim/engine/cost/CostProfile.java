package org.vqsim.engine.cost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vqsim.engine.util.Names;

/**
 * A platform's cost figures, each with its source. Immutable; {@link #withOverride} makes a copy
 * (the CLI's {@code --cost NAME=VALUE}).
 *
 * <p>File format, one figure per line (see {@code x86-kvm.profile}):
 *
 * <pre>
 * # comment
 * profile = x86-kvm
 * platform = x86
 * description = one line
 * kick_exit_cycles = 2000   # source: kvm-unit-tests vmexit …
 * </pre>
 *
 * Every figure of {@link CostFigure} must appear exactly once, as a finite non-negative number,
 * with a {@code # source:} comment, except an optional one ({@link CostFigure#optional}), which
 * when absent reads as its fallback figure, or, without one, is not given ({@link #isGiven}). Two
 * optional distributions may follow: {@value #SERVICE_KEY} and {@value #JITTER_KEY}.
 */
public final class CostProfile {
  /** Profiles shipped with vqsim, loadable by name. */
  public static final List<String> BUILT_IN = List.of("x86-kvm", "power9-kvm", "qemu-tcg-x86");

  private final String name;
  private final String platform;
  private final String description;
  private final double[] values;
  private final String[] sources;
  private final Map<String, Double> overrides;
  private final ServiceDistribution service;
  private final String serviceSource;
  /** Per figure: whether the profile gives it (false only for an absent optional figure). */
  private final boolean[] given;
  private final ServiceDistribution jitter;
  /** Null when the profile gives no guest jitter. */
  private final String jitterSource;
  /** Guest jitters of their own for some strategies (by strategy id), in the order given, and their sources. */
  private final Map<String, ServiceDistribution> jitterBy;
  private final Map<String, String> jitterBySource;
  /** The exposure the guest jitters are given for, ns ({@link #JITTER_EXPOSURE_KEY}); 0: not scaled. */
  private final double jitterExposureNs;
  private final String jitterExposureSource;
  /** Where {@link #get} and {@link #cycles} record the figures read, or null (see {@link #recordingReads}). */
  private final java.util.BitSet reads;

  /** The profile key of the backend's service-time distribution (optional; {@link ServiceDistribution}). */
  public static final String SERVICE_KEY = "backend_service_distribution";
  /**
   * The profile key of the guest-side jitter (optional): an extra delay, in ns, added per request
   * before the guest takes the completion interrupt, drawn from this distribution (the points are
   * nanoseconds, not multiples). Without it no delay is added.
   */
  public static final String JITTER_KEY = "guest_jitter_distribution";
  /**
   * The profile key of the guest jitter's reference exposure (optional), ns: when given, the guest
   * jitters are the stalls of a request whose modelled time from its issue to the device's pop is this
   * long, and a request's draw is scaled by the square root of its own such time over this one (stalls
   * as a sum of independent pieces along the guest-side path; docs/CALIBRATION.md, guest jitter).
   * Without it every request draws the same distribution.
   */
  public static final String JITTER_EXPOSURE_KEY = "guest_jitter_exposure_ns";

  private CostProfile(String name, String platform, String description, double[] values, String[] sources, boolean[] given, Map<String, Double> overrides,
      ServiceDistribution service, String serviceSource, ServiceDistribution jitter, String jitterSource, Map<String, ServiceDistribution> jitterBy,
      Map<String, String> jitterBySource, double jitterExposureNs, String jitterExposureSource) {
    this(name, platform, description, values, sources, given, overrides, service, serviceSource, jitter, jitterSource, jitterBy, jitterBySource, jitterExposureNs,
        jitterExposureSource, null);
  }

  private CostProfile(String name, String platform, String description, double[] values, String[] sources, boolean[] given, Map<String, Double> overrides,
      ServiceDistribution service, String serviceSource, ServiceDistribution jitter, String jitterSource, Map<String, ServiceDistribution> jitterBy,
      Map<String, String> jitterBySource, double jitterExposureNs, String jitterExposureSource, java.util.BitSet reads) {
    this.name = name;
    this.platform = platform;
    this.description = description;
    this.values = values;
    this.sources = sources;
    this.overrides = overrides;
    this.service = service;
    this.serviceSource = serviceSource;
    this.given = given;
    this.jitter = jitter;
    this.jitterSource = jitterSource;
    this.jitterBy = jitterBy;
    this.jitterBySource = jitterBySource;
    this.jitterExposureNs = jitterExposureNs;
    this.jitterExposureSource = jitterExposureSource;
    this.reads = reads;
  }

  /**
   * This profile, with every figure a model part reads through {@link #get} or {@link #cycles}
   * recorded in {@code into} (by figure ordinal). The model's parts read their figures only so, when
   * they are built, so a replay with this copy tells which figures can change its times at all: a
   * figure not recorded cannot. Not for use by two threads at once.
   */
  public CostProfile recordingReads(java.util.BitSet into) {
    return new CostProfile(name, platform, description, values, sources, given, overrides, service, serviceSource, jitter, jitterSource, jitterBy, jitterBySource,
        jitterExposureNs, jitterExposureSource, into);
  }

  /** How the backend's latency varies per request around {@code backend_latency_ns}. */
  public ServiceDistribution serviceDistribution() { return service; }
  public String serviceDistributionSource() { return serviceSource; }

  /** The guest-side jitter, ns per request ({@link #JITTER_KEY}); {@link ServiceDistribution#NONE} (no delay, since every point is 0) when not given. */
  public ServiceDistribution guestJitter() { return jitter; }
  public boolean hasGuestJitter() { return jitterSource != null; }
  public String guestJitterSource() { return jitterSource != null ? jitterSource : "not given: no guest-side delay is added"; }

  /** The strategies with a guest jitter of their own ({@code guest_jitter_distribution.STRATEGY}), in the profile's order. */
  public java.util.Set<String> guestJitterStrategies() { return jitterBy.keySet(); }
  public String guestJitterSource(String strategy) { return jitterBySource.get(strategy); }

  /**
   * The guest jitter a replay under {@code strategy} draws from: the strategy's own if the profile
   * gives one, else the profile's {@value #JITTER_KEY}; null for none.
   */
  public ServiceDistribution guestJitterFor(String strategy) {
    ServiceDistribution d = jitterBy.get(strategy);
    if (d == null && jitterSource != null) d = jitter;
    return d == null || d.isNone() ? null : d;
  }

  /** Whether the profile gives this figure (false only for an optional figure it leaves out, which then reads as {@link CostFigure#fallback}, if it has one). */
  public boolean isGiven(CostFigure f) { return given[f.ordinal()]; }

  /**
   * A new profile: this one's figures with {@code values} and {@code sources} where they are not null
   * (indexed by {@link CostFigure#ordinal}), and the given service distribution (null: keep this one's).
   */
  public CostProfile derive(String newName, String newDescription, double[] newValues, String[] newSources, ServiceDistribution dist, String distSource) {
    return derive(newName, newDescription, newValues, newSources, dist, distSource, null, null, null, null);
  }

  /**
   * As {@link #derive(String, String, double[], String[], ServiceDistribution, String)}, with a guest
   * jitter too: {@code jit} null keeps this one's; {@link ServiceDistribution#NONE} with a null source
   * removes it; {@code jitBy} (per strategy, with {@code jitBySource}) null keeps this one's. A figure
   * given a source is given by the new profile (an optional one included).
   */
  public CostProfile derive(String newName, String newDescription, double[] newValues, String[] newSources, ServiceDistribution dist, String distSource,
      ServiceDistribution jit, String jitSource, Map<String, ServiceDistribution> jitBy, Map<String, String> jitBySource) {
    double[] v = values.clone();
    String[] s = sources.clone();
    boolean[] g = given.clone();
    for (int i = 0; i < v.length; i++) {
      if (newSources[i] == null) continue;
      if (!Double.isFinite(newValues[i]) || newValues[i] < 0) throw new IllegalArgumentException(CostFigure.values()[i].key + " must be a finite number ≥ 0, not " + newValues[i]);
      v[i] = newValues[i];
      s[i] = newSources[i];
      g[i] = true;
    }
    return new CostProfile(newName, platform, newDescription, v, s, g, Map.of(), dist == null ? service : dist, dist == null ? serviceSource : distSource,
        jit == null ? jitter : jit, jit == null ? jitterSource : jitSource, jitBy == null ? jitterBy : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(jitBy)),
        jitBy == null ? jitterBySource : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(jitBySource)), jitterExposureNs, jitterExposureSource);
  }

  /**
   * This profile with the guest jitter's reference exposure ({@value #JITTER_EXPOSURE_KEY}) set to
   * {@code ns} (0 with a null source: none, every request draws the jitter unscaled).
   */
  public CostProfile withJitterExposure(double ns, String source) {
    if (!Double.isFinite(ns) || ns < 0 || (ns > 0) != (source != null)) throw new IllegalArgumentException(JITTER_EXPOSURE_KEY + " must be > 0 with a source, or 0 without");
    return new CostProfile(name, platform, description, values, sources, given, overrides, service, serviceSource, jitter, jitterSource, jitterBy, jitterBySource, ns,
        source);
  }

  /** The guest jitter's reference exposure, ns ({@value #JITTER_EXPOSURE_KEY}); 0 when the jitter is not scaled by the request's exposure. */
  public double guestJitterExposureNs() { return jitterExposureNs; }
  public String guestJitterExposureSource() { return jitterExposureSource; }

  public String name() { return name; }
  public String platform() { return platform; }
  public String description() { return description; }
  public double get(CostFigure f) {
    if (reads != null) reads.set(f.ordinal());
    if (!given[f.ordinal()]) {
      if (f.fallback() == null) throw new IllegalStateException("profile " + name + " gives no " + f.key + " (check isGiven first)");
      return get(f.fallback());
    }
    return values[f.ordinal()];
  }

  public long cycles(CostFigure f) {
    return Math.round(get(f));
  }
  public String source(CostFigure f) {
    if (given[f.ordinal()]) return sources[f.ordinal()];
    return f.fallback() != null ? "same as " + f.fallback().key + " (the profile gives no " + f.key + ")" : "not given by the profile";
  }
  /** The {@code --cost} overrides applied to the loaded file, in the order given. */
  public Map<String, Double> overrides() { return overrides; }

  /** A copy with one figure replaced; its source says so. */
  public CostProfile withOverride(String key, double value) {
    CostFigure f = CostFigure.byKey(key);
    if (f == null) throw new ProfileException("unknown cost figure '" + key + "'" + Names.didYouMean(key, keys()), ProfileException.Kind.USAGE);
    if (!Double.isFinite(value) || value < 0) throw new ProfileException("cost figure " + key + " must be a finite number ≥ 0, not " + value, ProfileException.Kind.USAGE);
    double[] v = values.clone();
    String[] s = sources.clone();
    boolean[] g = given.clone();
    s[f.ordinal()] = "override --cost " + key + "=" + format(value) + " (profile value " + (given[f.ordinal()] || f.fallback() != null ? format(get(f)) : "not given") + ")";
    v[f.ordinal()] = value;
    g[f.ordinal()] = true;
    Map<String, Double> o = new LinkedHashMap<>(overrides);
    o.put(key, value);
    return new CostProfile(name, platform, description, v, s, g, java.util.Collections.unmodifiableMap(o), service, serviceSource, jitter, jitterSource, jitterBy, jitterBySource,
        jitterExposureNs, jitterExposureSource);
  }

  /** The figures as "key=value" lines, in declaration order, for run metadata. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (CostFigure f : CostFigure.values()) if (given[f.ordinal()]) b.append(f.key).append('=').append(format(values[f.ordinal()])).append('\n');
    b.append(SERVICE_KEY).append('=').append(service.spec()).append('\n');
    if (jitterSource != null) b.append(JITTER_KEY).append('=').append(jitter.spec()).append('\n');
    jitterBy.forEach((k, d) -> b.append(JITTER_KEY).append('.').append(k).append('=').append(d.spec()).append('\n'));
    if (jitterExposureNs > 0) b.append(JITTER_EXPOSURE_KEY).append('=').append(format(jitterExposureNs)).append('\n');
    return b.toString();
  }

  /**
   * This profile in the file format {@link #parse} reads: the header lines, then per figure a comment
   * with its unit and meaning and the {@code key = value  # source: …} line. What {@code vqsim
   * profiles NAME} prints, so that it can be saved, edited and loaded back with {@code --profile}.
   */
  public String toFileText(String madeBy) {
    StringBuilder b = new StringBuilder();
    b.append("# vqsim cost profile ").append(name).append(" (").append(platform).append("), printed by `").append(madeBy).append("`.\n");
    b.append("# It loads back as is: --profile FILE. To describe your own host, give it another name, change the figures\n");
    b.append("# and say where each new value comes from in its source comment (every figure must have one).\n");
    b.append("profile = ").append(name).append('\n');
    b.append("platform = ").append(platform).append('\n');
    b.append("description = ").append(description).append('\n');
    for (CostFigure f : CostFigure.values()) {
      if (!given[f.ordinal()]) continue;
      b.append('\n').append("# ").append(f.key).append(" (").append(f.unit).append("): ").append(f.description).append('\n');
      b.append(f.key).append(" = ").append(format(values[f.ordinal()])).append("   # source: ").append(sources[f.ordinal()]).append('\n');
    }
    b.append('\n').append("# ").append(SERVICE_KEY).append(": how the backend latency varies per request, as multiples of backend_latency_ns (none | lognormal P:M | empirical P:M …)\n");
    b.append(SERVICE_KEY).append(" = ").append(service.spec()).append("   # source: ").append(serviceSource).append('\n');
    if (jitterSource != null) {
      b.append('\n').append("# ").append(JITTER_KEY).append(": extra guest-side delay per request before the completion interrupt is taken, in ns (none | empirical P:NS …)\n");
      b.append(JITTER_KEY).append(" = ").append(jitter.spec()).append("   # source: ").append(jitterSource).append('\n');
    }
    for (Map.Entry<String, ServiceDistribution> e : jitterBy.entrySet()) {
      b.append('\n').append("# ").append(JITTER_KEY).append('.').append(e.getKey()).append(": the guest jitter of replays under ").append(e.getKey()).append(", in ns\n");
      b.append(JITTER_KEY).append('.').append(e.getKey()).append(" = ").append(e.getValue().spec()).append("   # source: ").append(jitterBySource.get(e.getKey())).append('\n');
    }
    if (jitterExposureNs > 0) {
      b.append('\n').append("# ").append(JITTER_EXPOSURE_KEY).append(": the exposure the guest jitters above are given for, ns: a request's draw is scaled by ")
          .append("sqrt(its modelled issue-to-pop time / this)\n");
      b.append(JITTER_EXPOSURE_KEY).append(" = ").append(format(jitterExposureNs)).append("   # source: ").append(jitterExposureSource).append('\n');
    }
    return b.toString();
  }

  public static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
  }

  static List<String> keys() {
    List<String> k = new ArrayList<>();
    for (CostFigure f : CostFigure.values()) k.add(f.key);
    return k;
  }

  /** A built-in profile by name, or a profile file by path. */
  public static CostProfile load(String nameOrPath) {
    if (BUILT_IN.contains(nameOrPath)) return builtIn(nameOrPath);
    Path p = Path.of(nameOrPath);
    if (!nameOrPath.contains("/") && !nameOrPath.endsWith(".profile") && !Files.exists(p)) {
      throw new ProfileException("unknown profile '" + nameOrPath + "'" + Names.didYouMean(nameOrPath, BUILT_IN)
          + "; built-in profiles: " + String.join(", ", BUILT_IN) + ", or give a profile file path", ProfileException.Kind.USAGE);
    }
    try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      return parse(r, p.toString());
    } catch (NoSuchFileException e) {
      throw new ProfileException(p + ": profile file not found", ProfileException.Kind.MISSING);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new ProfileException(p + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ProfileException(p + ": cannot read: " + e.getMessage());
    }
  }

  public static CostProfile builtIn(String name) {
    String res = name + ".profile";
    try (InputStream in = CostProfile.class.getResourceAsStream(res)) {
      if (in == null) throw new IllegalStateException("built-in profile resource missing: " + res);
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in " + res);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a profile; errors name {@code origin}, the line and what is wrong. */
  public static CostProfile parse(Reader reader, String origin) throws IOException {
    BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    double[] values = new double[CostFigure.COUNT];
    String[] sources = new String[CostFigure.COUNT];
    int[] seenAt = new int[CostFigure.COUNT];
    String name = null, platform = null, description = "";
    ServiceDistribution dist = ServiceDistribution.NONE;
    String distSource = "not given: every request takes backend_latency_ns";
    ServiceDistribution jit = ServiceDistribution.NONE;
    String jitSource = null;
    Map<String, ServiceDistribution> jitBy = new LinkedHashMap<>();
    Map<String, String> jitBySource = new LinkedHashMap<>();
    double exposure = 0;
    String exposureSource = null;
    String line;
    int n = 0;
    while ((line = in.readLine()) != null) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) continue;
      int eq = t.indexOf('=');
      if (eq <= 0) throw new ProfileException(origin + ":" + n + ": expected 'key = value  # source: …', got '" + abbreviate(t)
          + "' (`vqsim profiles NAME > FILE` writes a profile in this format)");
      String key = t.substring(0, eq).strip();
      String rest = t.substring(eq + 1);
      String value = rest, comment = null;
      int hash = rest.indexOf('#');
      if (hash >= 0) {
        value = rest.substring(0, hash);
        comment = rest.substring(hash + 1).strip();
      }
      value = value.strip();
      if (key.startsWith(JITTER_KEY + ".")) {
        String strategy = key.substring(JITTER_KEY.length() + 1);
        if (strategy.isEmpty() || !strategy.matches("[a-z0-9+-]+")) throw new ProfileException(origin + ":" + n + ": " + key + ": expected " + JITTER_KEY + ".STRATEGY");
        if (jitBy.containsKey(strategy)) throw new ProfileException(origin + ":" + n + ": " + key + " given twice");
        jitBy.put(strategy, jitter(origin, n, key, value));
        jitBySource.put(strategy, source(origin, n, key, comment));
        continue;
      }
      switch (key) {
        case "profile" -> name = value;
        case "platform" -> platform = value;
        case "description" -> description = rest.strip();
        case SERVICE_KEY -> {
          dist = distribution(origin, n, SERVICE_KEY, value);
          distSource = source(origin, n, SERVICE_KEY, comment);
        }
        case JITTER_KEY -> {
          jit = jitter(origin, n, JITTER_KEY, value);
          jitSource = source(origin, n, JITTER_KEY, comment);
        }
        case JITTER_EXPOSURE_KEY -> {
          if (exposureSource != null) throw new ProfileException(origin + ":" + n + ": " + key + " given twice");
          try {
            exposure = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            throw new ProfileException(origin + ":" + n + ": " + key + " must be a number (ns), not '" + abbreviate(value) + "'");
          }
          if (!Double.isFinite(exposure) || exposure <= 0) throw new ProfileException(origin + ":" + n + ": " + key + " must be a finite number > 0, not " + value);
          exposureSource = source(origin, n, key, comment);
        }
        default -> {
          CostFigure f = CostFigure.byKey(key);
          if (f == null) throw new ProfileException(origin + ":" + n + ": unknown cost figure '" + key + "'" + Names.didYouMean(key, keys()));
          if (seenAt[f.ordinal()] != 0) throw new ProfileException(origin + ":" + n + ": " + key + " given twice (first on line " + seenAt[f.ordinal()] + ")");
          double v;
          try {
            v = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            throw new ProfileException(origin + ":" + n + ": " + key + " must be a number (" + f.unit + "), not '" + abbreviate(value) + "'");
          }
          if (!Double.isFinite(v) || v < 0) throw new ProfileException(origin + ":" + n + ": " + key + " must be a finite number ≥ 0, not " + value);
          sources[f.ordinal()] = source(origin, n, key, comment);
          values[f.ordinal()] = v;
          seenAt[f.ordinal()] = n;
        }
      }
    }
    if (name == null || name.isEmpty()) throw new ProfileException(origin + ": missing 'profile = NAME' line");
    if (platform == null || !(platform.equals("x86") || platform.equals("power"))) {
      throw new ProfileException(origin + ": 'platform' must be x86 or power, not " + (platform == null ? "missing" : "'" + platform + "'"));
    }
    List<String> missing = new ArrayList<>();
    boolean[] given = new boolean[CostFigure.COUNT];
    for (CostFigure f : CostFigure.values()) {
      given[f.ordinal()] = seenAt[f.ordinal()] != 0;
      if (!given[f.ordinal()] && !f.optional()) missing.add(f.key);
    }
    if (!missing.isEmpty()) throw new ProfileException(origin + ": missing cost figure" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
    if (values[CostFigure.CPU_GHZ.ordinal()] <= 0) throw new ProfileException(origin + ":" + seenAt[CostFigure.CPU_GHZ.ordinal()] + ": cpu_ghz must be > 0");
    if (values[CostFigure.BACKEND_MIB_PER_S.ordinal()] <= 0) throw new ProfileException(origin + ":" + seenAt[CostFigure.BACKEND_MIB_PER_S.ordinal()] + ": backend_mib_per_s must be > 0");
    if (given[CostFigure.BACKEND_WRITE_MIB_PER_S.ordinal()] && values[CostFigure.BACKEND_WRITE_MIB_PER_S.ordinal()] <= 0) {
      throw new ProfileException(origin + ":" + seenAt[CostFigure.BACKEND_WRITE_MIB_PER_S.ordinal()] + ": backend_write_mib_per_s must be > 0");
    }
    return new CostProfile(name, platform, description, values, sources, given, Map.of(), dist, distSource, jit, jitSource,
        java.util.Collections.unmodifiableMap(jitBy), java.util.Collections.unmodifiableMap(jitBySource), exposure, exposureSource);
  }

  /** The text of a line's {@code # source: …} comment; every figure must say where it comes from. */
  private static String source(String origin, int n, String key, String comment) {
    if (comment == null || !comment.toLowerCase(Locale.ROOT).startsWith("source:") || comment.length() <= "source:".length() + 1) {
      throw new ProfileException(origin + ":" + n + ": " + key + " has no '# source: …' comment; every figure must say where it comes from");
    }
    return comment.substring("source:".length()).strip();
  }

  private static ServiceDistribution distribution(String origin, int n, String key, String value) {
    try {
      return ServiceDistribution.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ProfileException(origin + ":" + n + ": " + key + ": " + e.getMessage());
    }
  }

  /** A guest jitter: a distribution of nanoseconds, so none or empirical. */
  private static ServiceDistribution jitter(String origin, int n, String key, String value) {
    ServiceDistribution d = distribution(origin, n, key, value);
    if (d.spec().startsWith("lognormal")) throw new ProfileException(origin + ":" + n + ": " + key + ": give none or empirical P:NS … (nanoseconds), not a lognormal");
    return d;
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(values);
  }
}
