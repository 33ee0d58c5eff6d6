package gt.quetzal.manifests;

import gt.quetzal.ingest.core.RateLimitConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * A service that takes votes through the Ingress limits them per client, and believes the Ingress's
 * X-Forwarded-For: with rate limiting off, the threat model's defence against ballot stuffing is
 * missing; without a trusted proxy, every client is Traefik's address, one bucket for all.
 */
final class RateLimiting {

  private RateLimiting() {}

  /** Problems of one routed workload's config, as the service made it of the pod's environment. */
  static List<String> check(Rendered.Workload w, Object config) {
    List<String> problems = new ArrayList<>();
    RateLimitConfig limit = config == null ? null : rateLimitOf(config);
    if (limit == null || !Wiring.PUBLIC_WORKLOADS.contains(w.name())) {
      return problems;
    }
    if (!limit.enabled()) {
      problems.add(w + ": rate limiting is off (RATE_LIMIT_KEY unset or off); a public route needs it (docs/ingest.md)");
    } else if (!limit.clientAddresses().trustsAnyProxy()) {
      problems.add(w + ": TRUSTED_PROXIES is unset, so every client behind the Ingress shares Traefik's bucket;"
          + " trust the pod CIDR Traefik runs in (docs/kubernetes.md)");
    }
    return problems;
  }

  private static RateLimitConfig rateLimitOf(Object config) {
    if (!config.getClass().isRecord()) {
      return null;
    }
    for (RecordComponent component : config.getClass().getRecordComponents()) {
      if (component.getType() == RateLimitConfig.class) {
        try {
          return (RateLimitConfig) component.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
    return null;
  }
}
