package gt.quetzal.manifests;

import java.util.List;
import java.util.Map;

/**
 * The part of kustomize's kustomization.yaml that this project uses. Parsing is strict: a field the
 * renderer does not implement (labels, replicas, secretGenerator, ...) fails the build with
 * "unsupported" rather than being silently ignored, so the Java renderer never drifts from what
 * {@code kubectl apply -k} would do.
 */
record Kustomization(
    String apiVersion,
    String kind,
    String namespace,
    List<String> resources,
    List<String> components,
    List<Patch> patches,
    List<ConfigMapGenerator> configMapGenerator,
    GeneratorOptions generatorOptions,
    List<Image> images) {

  static final String KUSTOMIZATION_API = "kustomize.config.k8s.io/v1beta1";
  static final String COMPONENT_API = "kustomize.config.k8s.io/v1alpha1";

  Kustomization {
    resources = resources == null ? List.of() : List.copyOf(resources);
    components = components == null ? List.of() : List.copyOf(components);
    patches = patches == null ? List.of() : List.copyOf(patches);
    configMapGenerator = configMapGenerator == null ? List.of() : List.copyOf(configMapGenerator);
    images = images == null ? List.of() : List.copyOf(images);
  }

  boolean isComponent() {
    return "Component".equals(kind);
  }

  /** A strategic-merge or JSON 6902 patch, from a file or inline, optionally with a target. */
  record Patch(String path, String patch, Target target) {}

  /** Which resources a patch applies to; name is a regular expression, as in kustomize. */
  record Target(
      String group, String version, String kind, String name, String namespace, String labelSelector) {}

  record ConfigMapGenerator(String name, List<String> files, List<String> literals) {
    ConfigMapGenerator {
      files = files == null ? List.of() : List.copyOf(files);
      literals = literals == null ? List.of() : List.copyOf(literals);
    }
  }

  /** kustomize's image transformer: containers running {@code name} (any tag) run newName/newTag. */
  record Image(String name, String newName, String newTag, String digest) {}

  record GeneratorOptions(Boolean disableNameSuffixHash, Map<String, String> labels) {}
}
