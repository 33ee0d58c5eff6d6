package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the project's own images come from. An unqualified name ({@code quetzal/ingest}) is
 * {@code docker.io/quetzal/ingest} to the kubelet: once the imported copy is missing (import skipped,
 * image garbage-collected) k3s pulls somebody else's image or fails. So every Quetzal image names a
 * registry: {@code localhost/} for images imported into the node (Jib's default name, a pull of which
 * can only fail) or a real registry (prod's {@code images:}); all of one deployment's from the same one.
 */
final class ImagePolicy {

  /** What Jib names the images and the base and local overlay run: never pulled from anywhere public. */
  static final String LOCAL_REGISTRY = "localhost";
  /** The prod overlay's stand-in until the user sets a registry; .invalid never resolves (RFC 6761). */
  static final String PROD_PLACEHOLDER = "registry.invalid";

  private ImagePolicy() {}

  /**
   * The registry part of an image reference as container runtimes read it: the first path component
   * when it has a dot or a port or is localhost; empty when the runtime would fill in docker.io.
   */
  static Optional<String> registryOf(String image) {
    int slash = image.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    String first = image.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals(LOCAL_REGISTRY)
        ? Optional.of(first) : Optional.empty();
  }

  /** The image module's service must run here: {@code <registry>/quetzal/<module>:<version>}. */
  static List<String> checkService(String where, Container c, String module, String version) {
    List<String> problems = new ArrayList<>();
    String image = String.valueOf(c.getImage());
    Optional<String> registry = registryOf(image);
    if (registry.isEmpty()) {
      problems.add(where + ": image " + image + " names no registry, so the kubelet would pull docker.io/"
          + image + "; use " + LOCAL_REGISTRY + "/quetzal/" + module + ":" + version + " (what Jib builds) or your registry");
      return problems;
    }
    String expected = registry.get() + "/quetzal/" + module + ":" + version;
    if (!expected.equals(image)) {
      problems.add(where + ": image must be " + expected + " (what Jib builds for module " + module + "), got " + image);
    }
    String policy = c.getImagePullPolicy();
    Set<String> allowed = registry.get().equals(LOCAL_REGISTRY) ? Set.of("IfNotPresent", "Never") : Set.of("IfNotPresent", "Always");
    if (policy == null || !allowed.contains(policy)) {
      problems.add(where + ": imagePullPolicy must be one of " + new TreeSet<>(allowed) + " for an image from "
          + registry.get() + ", got " + policy);
    }
    return problems;
  }

  /**
   * Deployment-wide: no image of the project's own names docker.io by omission (the Grafana image of
   * the offline component included), and every service image comes from one registry, so an
   * {@code images:} block that forgets a module is caught.
   */
  static List<String> checkDeployment(Rendered r) {
    List<String> problems = new ArrayList<>();
    Set<String> registries = new TreeSet<>();
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        String image = String.valueOf(c.getImage());
        if (image.startsWith("quetzal/")) {
          problems.add(r.name() + ": " + w + " container " + c.getName() + ": image " + image
              + " resolves to docker.io/" + image + "; prefix it with " + LOCAL_REGISTRY + "/ or a registry");
        }
        boolean ours = QuetzalService.byContainer(c.getName()).isPresent() || Wiring.CONTEST_TOOL.equals(c.getName());
        if (ours) {
          registryOf(image).ifPresent(registries::add);
        }
      }
    }
    if (registries.size() > 1) {
      problems.add(r.name() + ": the service images come from several registries " + registries
          + "; an images: entry is missing for some module");
    }
    return problems;
  }

  /**
   * Given the registry prod is meant to pull from ({@code -Dprod.registry} or PROD_REGISTRY), every
   * service image of the deployment must come from it; without one, nothing is demanded.
   */
  static List<String> checkProdRegistry(Rendered prod, String registry) {
    List<String> problems = new ArrayList<>();
    if (registry == null || registry.isBlank()) {
      return problems;
    }
    String wanted = registry.strip().replaceAll("/+$", "") + "/quetzal/";
    for (Rendered.Workload w : prod.workloads()) {
      for (Container c : w.containers()) {
        boolean ours = QuetzalService.byContainer(c.getName()).isPresent() || Wiring.CONTEST_TOOL.equals(c.getName());
        String image = String.valueOf(c.getImage());
        if (ours && !image.startsWith(wanted)) {
          problems.add(prod.name() + ": " + w + " container " + c.getName() + " runs " + image + ", not from "
              + registry + (image.startsWith(PROD_PLACEHOLDER + "/") ? " (still the placeholder: set images: in "
              + "manifests/overlays/prod/kustomization.yaml)" : ""));
        }
      }
    }
    return problems;
  }
}
