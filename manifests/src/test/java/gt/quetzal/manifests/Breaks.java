package gt.quetzal.manifests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One break of a rendered deployment and the exact problems {@link Wiring#check} must then report: the
 * rows of {@link BrokenCopiesTest}. Messages are written without the render's name ("broken: "); one
 * that ends in "…" is a prefix, for a message whose tail is an exception's text.
 */
record Breaks(String name, Base base, Consumer<List<Map<String, Object>>> edit, List<String> expected) {

  /** The rendered deployment a row breaks a copy of. */
  enum Base {
    LOCAL("broken"), KEDA("broken keda"), PROD("broken prod");

    final String renderName;

    Base(String renderName) {
      this.renderName = renderName;
    }

    List<Map<String, Object>> copy() {
      List<Map<String, Object>> docs = new ArrayList<>();
      switch (this) {
        case LOCAL -> Kustomize.build(Repo.manifests().resolve(Deployments.LOCAL)).forEach(d -> docs.add(Yaml.copy(d)));
        case KEDA -> Deployments.withComponents(Deployments.LOCAL, Set.of(), "components/keda").documents()
            .forEach(d -> docs.add(Yaml.copy(d.raw())));
        case PROD -> Deployments.prod().documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
      }
      return docs;
    }

    Set<String> externalSecrets() {
      return this == PROD ? Deployments.PROD_EXTERNAL_SECRETS : Set.of();
    }
  }

  static Breaks local(String name, Consumer<List<Map<String, Object>>> edit, String... expected) {
    return new Breaks(name, Base.LOCAL, edit, List.of(expected));
  }

  static Breaks on(Base base, String name, Consumer<List<Map<String, Object>>> edit, String... expected) {
    return new Breaks(name, base, edit, List.of(expected));
  }

  List<String> problems() {
    List<Map<String, Object>> docs = base.copy();
    edit.accept(docs);
    return Wiring.check(Rendered.of(base.renderName, docs, base.externalSecrets()));
  }

  /** The expected message as reported, render name included (still with its "…" if a prefix). */
  List<String> reported() {
    return expected.stream().map(e -> base.renderName + ": " + e).toList();
  }

  static boolean isPrefix(String message) {
    return message.endsWith("…");
  }

  @Override
  public String toString() {
    return name;
  }

  // ---- edits of the rendered documents -------------------------------------------------------------

  static Map<String, Object> doc(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
  }

  static Map<String, Object> podSpec(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "spec"));
  }

  static Map<String, Object> container(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "spec", "containers", 0));
  }

  static Map<String, Object> section(List<Map<String, Object>> docs, String kind, String name, String key) {
    return Yaml.cast(container(docs, kind, name).get(key));
  }

  static List<Object> env(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.list(container(docs, kind, name).get("env"));
  }

  static Map<String, Object> envVar(List<Map<String, Object>> docs, String kind, String name, String var) {
    return env(docs, kind, name).stream().map(Yaml::cast)
        .filter(e -> var.equals(e.get("name"))).findFirst().orElseThrow(() -> new AssertionError("no " + var));
  }

  static void setEnv(List<Map<String, Object>> docs, String kind, String name, String var, String value) {
    envVar(docs, kind, name, var).put("value", value);
  }

  static void removeEnv(List<Map<String, Object>> docs, String kind, String name, String var) {
    if (!env(docs, kind, name).removeIf(e -> var.equals(Yaml.cast(e).get("name")))) {
      throw new AssertionError("no " + var);
    }
  }

  static void addEnv(List<Map<String, Object>> docs, String kind, String name, String var, String value) {
    env(docs, kind, name).add(new LinkedHashMap<>(Map.of("name", var, "value", value)));
  }

  static Map<String, Object> podAnnotations(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "metadata", "annotations"));
  }

  static Map<String, Object> configData(List<Map<String, Object>> docs, String name) {
    return Yaml.cast(doc(docs, "ConfigMap", name).get("data"));
  }

  static void replaceIn(List<Map<String, Object>> docs, String configMap, String key, String from, String to) {
    Map<String, Object> data = configData(docs, configMap);
    String before = String.valueOf(data.get(key));
    if (!before.contains(from)) {
      throw new AssertionError(configMap + "/" + key + " has no " + from);
    }
    data.put(key, before.replace(from, to));
  }
}
