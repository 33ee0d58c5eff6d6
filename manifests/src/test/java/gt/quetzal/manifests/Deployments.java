package gt.quetzal.manifests;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The deployments this repository offers: each overlay, and each overlay with the optional
 * components, rendered the way a user would compose them.
 */
final class Deployments {

  /** The prod overlay ships no Secrets: these must be created before applying it. */
  static final Set<String> PROD_EXTERNAL_SECRETS = Set.of("redis-auth", "mongodb-auth", "grafana-admin");

  static final String LOCAL = "overlays/local";
  static final String PROD = "overlays/prod";

  private Deployments() {}

  static Rendered local() {
    return Rendered.overlay(LOCAL, Set.of());
  }

  static Rendered prod() {
    return Rendered.overlay(PROD, PROD_EXTERNAL_SECRETS);
  }

  /**
   * An overlay plus components, as a user's own kustomization listing both would render. The
   * kustomization is synthetic (never written): rooted at the repository, it names the overlay as its
   * one resource and the components after it, and sets the namespace as the overlay does.
   */
  static Rendered withComponents(String overlay, Set<String> externalSecrets, String... components) {
    List<String> componentPaths = Arrays.stream(components).map(c -> "manifests/" + c).toList();
    Kustomization mix = new Kustomization(
        Kustomization.KUSTOMIZATION_API, "Kustomization", "quetzal", List.of("manifests/" + overlay),
        componentPaths, null, null, null, null);
    return Rendered.of(overlay + " + " + String.join(" + ", components),
        Kustomize.build(Repo.root(), mix), externalSecrets);
  }

  /** Every deployment the tests check, by name. */
  static List<Rendered> all() {
    return List.of(
        local(),
        prod(),
        withComponents(LOCAL, Set.of(), "components/loadbalancer"),
        withComponents(LOCAL, Set.of(), "components/keda"),
        withComponents(LOCAL, Set.of(), "components/grafana-offline"),
        withComponents(PROD, PROD_EXTERNAL_SECRETS, "components/loadbalancer", "components/keda"));
  }
}
