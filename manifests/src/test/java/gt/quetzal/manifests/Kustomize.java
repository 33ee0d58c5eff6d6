package gt.quetzal.manifests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of kustomize this project uses, in Java, so every overlay is rendered and checked on
 * every build without a kubectl: resources (files and directories), components, namespace,
 * configMapGenerator (with disableNameSuffixHash), images, and patches — strategic merge (with the merge keys
 * of the fields we patch, and {@code $patch: delete}) or JSON 6902, by target or by the patch's own
 * kind and name. Like kustomize it refuses to load a file from outside a kustomization's root.
 */
final class Kustomize {

  /** Kinds that are not namespaced, so the namespace transformer leaves them alone. */
  private static final Set<String> CLUSTER_SCOPED =
      Set.of("Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
          "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass");

  private Kustomize() {}

  /** Renders the kustomization in {@code dir}, as {@code kubectl kustomize dir} would. */
  static List<Map<String, Object>> build(Path dir) {
    return build(dir.toAbsolutePath().normalize(), read(dir), false);
  }

  /** Renders an in-memory kustomization rooted at {@code root} (used for overlay + component mixes). */
  static List<Map<String, Object>> build(Path root, Kustomization kustomization) {
    return build(root.toAbsolutePath().normalize(), kustomization, false);
  }

  static Kustomization read(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(dir + " has no kustomization.yaml");
    }
    try {
      return Yaml.read(file, Kustomization.class);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unsupported or invalid kustomization (the Java renderer implements resources, components, "
              + "namespace, patches, configMapGenerator, generatorOptions, images): " + e.getMessage(), e);
    }
  }

  private static List<Map<String, Object>> build(Path root, Kustomization k, boolean asComponent) {
    if (asComponent != k.isComponent()) {
      throw new IllegalArgumentException(root + ": expected a " + (asComponent ? "Component" : "Kustomization")
          + " but found kind " + k.kind());
    }
    String expectedApi = asComponent ? Kustomization.COMPONENT_API : Kustomization.KUSTOMIZATION_API;
    if (!expectedApi.equals(k.apiVersion())) {
      throw new IllegalArgumentException(root + ": apiVersion must be " + expectedApi);
    }
    List<Map<String, Object>> resources = new ArrayList<>();
    for (String entry : k.resources()) {
      Path path = root.resolve(entry).normalize();
      if (Files.isDirectory(path)) {
        resources.addAll(build(path, read(path), false));
      } else {
        resources.addAll(Yaml.documents(inside(root, entry)));
      }
    }
    if (!asComponent) {
      for (String entry : k.components()) {
        Path dir = root.resolve(entry).normalize();
        applyComponent(resources, dir, read(dir));
      }
    } else if (!k.components().isEmpty()) {
      throw new IllegalArgumentException(root + ": nested components are not supported");
    }
    resources.addAll(generate(root, k));
    for (Kustomization.Patch patch : k.patches()) {
      applyPatch(resources, root, patch);
    }
    setImages(resources, k.images());
    if (k.namespace() != null) {
      for (Map<String, Object> resource : resources) {
        if (!CLUSTER_SCOPED.contains(kind(resource))) {
          metadata(resource).put("namespace", k.namespace());
        }
        // As kustomize does: a binding's ServiceAccount subjects without a namespace (or in
        // "default") move with the namespace.
        if (kind(resource).endsWith("RoleBinding") && resource.get("subjects") instanceof List<?> subjects) {
          for (Object subject : subjects) {
            Map<String, Object> s = Yaml.cast(subject);
            Object ns = s.get("namespace");
            if ("ServiceAccount".equals(s.get("kind")) && (ns == null || "default".equals(ns))) {
              s.put("namespace", k.namespace());
            }
          }
        }
      }
    }
    requireUniqueIds(root, resources);
    return resources;
  }

  /** A component adds its resources, then its patches apply to everything accumulated so far. */
  private static void applyComponent(List<Map<String, Object>> resources, Path dir, Kustomization component) {
    List<Map<String, Object>> own = new ArrayList<>();
    for (String entry : component.resources()) {
      own.addAll(Yaml.documents(inside(dir, entry)));
    }
    resources.addAll(own);
    if (component.namespace() != null) {
      throw new IllegalArgumentException(dir + ": a component with a namespace is not supported");
    }
    resources.addAll(generate(dir, component));
    for (Kustomization.Patch patch : component.patches()) {
      applyPatch(resources, dir, patch);
    }
    setImages(resources, component.images());
  }

  // ----------------------------------------------------------------------------------------- images

  /**
   * kustomize's {@code images:}: every container or initContainer whose image is {@code name} (bare,
   * with a tag or with a digest) gets newName, and newTag or digest when given.
   */
  private static void setImages(List<Map<String, Object>> resources, List<Kustomization.Image> images) {
    if (images.isEmpty()) {
      return;
    }
    for (Map<String, Object> resource : resources) {
      visitContainers(resource, container -> {
        Object current = container.get("image");
        if (current instanceof String image) {
          for (Kustomization.Image rule : images) {
            String rewritten = rewrite(image, rule);
            if (rewritten != null) {
              container.put("image", rewritten);
              break;
            }
          }
        }
      });
    }
  }

  /** The rewritten image, or null when the rule's name is not this image's repository. */
  static String rewrite(String image, Kustomization.Image rule) {
    int at = image.indexOf('@');
    int colon = image.lastIndexOf(':');
    int slash = image.lastIndexOf('/');
    String suffix;
    String repository;
    if (at >= 0) {
      repository = image.substring(0, at);
      suffix = image.substring(at);
    } else if (colon > slash) {
      repository = image.substring(0, colon);
      suffix = image.substring(colon);
    } else {
      repository = image;
      suffix = "";
    }
    if (!repository.equals(rule.name())) {
      return null;
    }
    if (rule.digest() != null) {
      suffix = "@" + rule.digest();
    } else if (rule.newTag() != null) {
      suffix = ":" + rule.newTag();
    }
    return (rule.newName() != null ? rule.newName() : repository) + suffix;
  }

  private static void visitContainers(Object node, java.util.function.Consumer<Map<String, Object>> visit) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (("containers".equals(entry.getKey()) || "initContainers".equals(entry.getKey()))
            && entry.getValue() instanceof List<?> list) {
          list.stream().filter(c -> c instanceof Map<?, ?>).forEach(c -> visit.accept(Yaml.cast(c)));
        } else {
          visitContainers(entry.getValue(), visit);
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(item -> visitContainers(item, visit));
    }
  }

  private static List<Map<String, Object>> generate(Path root, Kustomization k) {
    if (k.configMapGenerator().isEmpty()) {
      return List.of();
    }
    Kustomization.GeneratorOptions options = k.generatorOptions();
    if (options == null || !Boolean.TRUE.equals(options.disableNameSuffixHash())) {
      // Real kustomize would append a content hash and rewrite every reference to it.
      throw new IllegalArgumentException(root + ": configMapGenerator needs generatorOptions."
          + "disableNameSuffixHash: true (the renderer does not compute kustomize's name hashes)");
    }
    List<Map<String, Object>> generated = new ArrayList<>();
    for (Kustomization.ConfigMapGenerator generator : k.configMapGenerator()) {
      Map<String, Object> data = new LinkedHashMap<>();
      for (String file : generator.files()) {
        Path path = inside(root, file);
        String key = path.getFileName().toString();
        if (data.put(key, Yaml.read(path)) != null) {
          throw new IllegalArgumentException(generator.name() + ": two files named " + key);
        }
      }
      for (String literal : generator.literals()) {
        int eq = literal.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(generator.name() + ": literal without key=value: " + literal);
        }
        data.put(literal.substring(0, eq), literal.substring(eq + 1));
      }
      Map<String, Object> metadata = new LinkedHashMap<>();
      metadata.put("name", generator.name());
      if (options.labels() != null && !options.labels().isEmpty()) {
        metadata.put("labels", new LinkedHashMap<>(options.labels()));
      }
      Map<String, Object> configMap = new LinkedHashMap<>();
      configMap.put("apiVersion", "v1");
      configMap.put("kind", "ConfigMap");
      configMap.put("metadata", metadata);
      configMap.put("data", data);
      generated.add(configMap);
    }
    return generated;
  }

  // ---------------------------------------------------------------------------------------- patches

  private static void applyPatch(List<Map<String, Object>> resources, Path root, Kustomization.Patch patch) {
    if ((patch.path() == null) == (patch.patch() == null)) {
      throw new IllegalArgumentException(root + ": a patch needs exactly one of path and patch");
    }
    String origin = patch.path() != null ? root.resolve(patch.path()).toString() : root + " (inline patch)";
    String text = patch.path() != null ? Yaml.read(inside(root, patch.path())) : patch.patch();
    Object body = Yaml.single(text, origin);
    List<Map<String, Object>> targets;
    if (patch.target() != null) {
      targets = resources.stream().filter(r -> matches(r, patch.target())).toList();
      if (targets.isEmpty()) {
        throw new IllegalArgumentException(origin + ": the target " + patch.target() + " matches no resource");
      }
    } else {
      if (!(body instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(origin + ": a JSON 6902 patch needs a target");
      }
      Map<String, Object> smp = Yaml.cast(body);
      targets = resources.stream()
          .filter(r -> kind(r).equals(smp.get("kind")) && name(r).equals(Yaml.at(smp, "metadata", "name")))
          .toList();
      if (targets.size() != 1) {
        throw new IllegalArgumentException(origin + ": the patch for " + smp.get("kind") + "/"
            + Yaml.at(smp, "metadata", "name") + " matches " + targets.size() + " resources, not one");
      }
    }
    for (Map<String, Object> target : List.copyOf(targets)) {
      if (body instanceof List<?> ops) {
        Json6902.apply(target, Yaml.list(ops), origin);
      } else {
        Map<String, Object> smp = Yaml.cast(Yaml.copyAny(body));
        if ("delete".equals(smp.get("$patch"))) {
          resources.remove(target);
          continue;
        }
        // With a target, the patch's own name is only a placeholder, as in kustomize.
        Map<String, Object> patchMeta = smp.get("metadata") instanceof Map<?, ?> m ? Yaml.cast(m) : null;
        if (patchMeta != null) {
          patchMeta.remove("name");
          patchMeta.remove("namespace");
        }
        smp.remove("apiVersion");
        smp.remove("kind");
        StrategicMerge.merge(target, smp, "");
      }
    }
  }

  static boolean matches(Map<String, Object> resource, Kustomization.Target target) {
    if (target.kind() != null && !target.kind().equals(kind(resource))) {
      return false;
    }
    if (target.name() != null && !Pattern.matches(target.name(), name(resource))) {
      return false;
    }
    String apiVersion = String.valueOf(resource.get("apiVersion"));
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    if (target.group() != null && !target.group().equals(group)) {
      return false;
    }
    if (target.version() != null && !target.version().equals(version)) {
      return false;
    }
    if (target.namespace() != null && !target.namespace().equals(Yaml.at(resource, "metadata", "namespace"))) {
      return false;
    }
    if (target.labelSelector() != null) {
      Map<String, Object> labels = Yaml.at(resource, "metadata", "labels") instanceof Map<?, ?> m ? Yaml.cast(m) : Map.of();
      return LabelSelectors.parse(target.labelSelector()).test(stringMap(labels));
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------- helpers

  /** Like kustomize's load restrictor: a kustomization may only read files at or below its root. */
  static Path inside(Path root, String entry) {
    Path path = root.resolve(entry).normalize();
    if (!path.startsWith(root)) {
      throw new IllegalArgumentException("security: " + path + " is not in or below " + root
          + " (kustomize refuses to load it)");
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(root + ": " + entry + " does not exist");
    }
    return path;
  }

  private static void requireUniqueIds(Path root, List<Map<String, Object>> resources) {
    Set<String> seen = new HashSet<>();
    for (Map<String, Object> resource : resources) {
      String id = resource.get("apiVersion") + "/" + kind(resource) + "/" + name(resource);
      if (!seen.add(id)) {
        throw new IllegalArgumentException(root + ": " + id + " is declared twice");
      }
    }
  }

  static String kind(Map<String, Object> resource) {
    return String.valueOf(resource.get("kind"));
  }

  static String name(Map<String, Object> resource) {
    return String.valueOf(Yaml.at(resource, "metadata", "name"));
  }

  static Map<String, Object> metadata(Map<String, Object> resource) {
    Object metadata = resource.get("metadata");
    if (!(metadata instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(kind(resource) + " without metadata");
    }
    return Yaml.cast(metadata);
  }

  static Map<String, String> stringMap(Map<String, Object> map) {
    Map<String, String> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k, Objects.toString(v)));
    return out;
  }

  /** JSON 6902 with the operations kustomize users write: add, replace, remove. */
  static final class Json6902 {

    private Json6902() {}

    static void apply(Map<String, Object> target, List<Object> ops, String origin) {
      for (Object raw : ops) {
        Map<String, Object> op = Yaml.cast(raw);
        String path = String.valueOf(op.get("path"));
        List<String> tokens = pointer(path);
        Object parent = target;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
          parent = step(parent, token, origin, path);
        }
        String last = tokens.get(tokens.size() - 1);
        Object value = Yaml.copyAny(op.get("value"));
        switch (String.valueOf(op.get("op"))) {
          case "add" -> add(parent, last, value, origin, path);
          case "replace" -> {
            step(parent, last, origin, path); // must exist
            set(parent, last, value);
          }
          case "remove" -> {
            step(parent, last, origin, path);
            if (parent instanceof Map<?, ?> map) {
              map.remove(last);
            } else {
              Yaml.list(parent).remove(Integer.parseInt(last));
            }
          }
          default -> throw new IllegalArgumentException(origin + ": unsupported op " + op.get("op"));
        }
      }
    }

    private static List<String> pointer(String path) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("not a JSON pointer: " + path);
      }
      List<String> tokens = new ArrayList<>();
      for (String token : path.substring(1).split("/", -1)) {
        tokens.add(token.replace("~1", "/").replace("~0", "~"));
      }
      return tokens;
    }

    private static Object step(Object node, String token, String origin, String path) {
      Object next = null;
      if (node instanceof Map<?, ?> map) {
        next = map.get(token);
      } else if (node instanceof List<?> list && token.matches("\\d+") && Integer.parseInt(token) < list.size()) {
        next = list.get(Integer.parseInt(token));
      }
      if (next == null) {
        throw new IllegalArgumentException(origin + ": " + path + " does not exist in the target");
      }
      return next;
    }

    private static void set(Object parent, String token, Object value) {
      if (parent instanceof Map<?, ?>) {
        Yaml.cast(parent).put(token, value);
      } else {
        Yaml.list(parent).set(Integer.parseInt(token), value);
      }
    }

    private static void add(Object parent, String token, Object value, String origin, String path) {
      if (parent instanceof Map<?, ?>) {
        Yaml.cast(parent).put(token, value);
      } else if (parent instanceof List<?>) {
        List<Object> list = Yaml.list(parent);
        if (token.equals("-")) {
          list.add(value);
        } else {
          list.add(Integer.parseInt(token), value);
        }
      } else {
        throw new IllegalArgumentException(origin + ": cannot add at " + path);
      }
    }
  }

  /**
   * Strategic merge as the API machinery does it for the fields this project patches: maps merge,
   * lists with a merge key (containers by name, env by name, ports by containerPort or port, volumes by
   * name, volumeMounts by mountPath) merge element-wise, other lists are replaced; {@code null} deletes a
   * key and {@code $patch: delete} in a list element deletes that element.
   */
  static final class StrategicMerge {

    private static final Map<String, String> MERGE_KEYS = Map.of(
        "containers", "name",
        "initContainers", "name",
        "env", "name",
        "volumes", "name",
        "volumeMounts", "mountPath",
        "imagePullSecrets", "name");

    private StrategicMerge() {}

    static void merge(Map<String, Object> target, Map<String, Object> patch, String path) {
      if ("replace".equals(patch.get("$patch"))) {
        target.clear();
        patch.forEach((k, v) -> {
          if (!k.equals("$patch")) {
            target.put(k, v);
          }
        });
        return;
      }
      for (Map.Entry<String, Object> entry : patch.entrySet()) {
        String key = entry.getKey();
        Object value = entry.getValue();
        Object current = target.get(key);
        if (key.startsWith("$")) {
          throw new IllegalArgumentException(path + ": unsupported directive " + key);
        } else if (value == null) {
          target.remove(key);
        } else if (value instanceof Map<?, ?> map && current instanceof Map<?, ?> existing) {
          merge(Yaml.cast(existing), Yaml.cast(map), path + "." + key);
        } else if (value instanceof List<?> list && current instanceof List<?> existing) {
          target.put(key, mergeList(key, Yaml.list(existing), Yaml.list(list), path + "." + key));
        } else {
          target.put(key, value);
        }
      }
    }

    private static List<Object> mergeList(String key, List<Object> current, List<Object> patch, String path) {
      String mergeKey = mergeKey(key, patch);
      if (mergeKey == null) {
        return patch;
      }
      // kustomize (kyaml) puts the patch's elements first, in the patch's order, then the target's
      // others in theirs; env order decides what a $(VAR) can see, so it must match.
      List<Object> result = new ArrayList<>(current);
      List<Object> patched = new ArrayList<>();
      for (Object raw : patch) {
        Map<String, Object> item = Yaml.cast(raw);
        Object id = item.get(mergeKey);
        if (id == null) {
          throw new IllegalArgumentException(path + ": a list item without its merge key " + mergeKey);
        }
        Map<String, Object> existing = null;
        for (Object candidate : result) {
          if (candidate instanceof Map<?, ?> m && Objects.equals(m.get(mergeKey), id)) {
            existing = Yaml.cast(m);
          }
        }
        if ("delete".equals(item.get("$patch"))) {
          if (existing == null) {
            throw new IllegalArgumentException(path + ": nothing to delete for " + mergeKey + "=" + id);
          }
          result.remove(existing);
        } else if (existing != null) {
          merge(existing, item, path + "[" + mergeKey + "=" + id + "]");
          result.remove(existing);
          patched.add(existing);
        } else {
          patched.add(item);
        }
      }
      patched.addAll(result);
      return patched;
    }

    private static String mergeKey(String key, List<Object> patch) {
      if (key.equals("ports")) {
        // Container ports merge on containerPort, Service ports on port.
        Iterator<Object> it = patch.iterator();
        if (it.hasNext() && it.next() instanceof Map<?, ?> first) {
          return first.containsKey("containerPort") ? "containerPort" : "port";
        }
        return null;
      }
      return MERGE_KEYS.get(key);
    }
  }
}
