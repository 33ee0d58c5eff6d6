package gt.quetzal.manifests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** Reads what the image build is configured with: the project version, Jib's settings, module properties. */
final class Poms {

  static final String JIB = "jib-maven-plugin";

  private Poms() {}

  static Document parse(Path pom) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return factory.newDocumentBuilder().parse(pom.toFile());
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot read " + pom + ": " + e.getMessage(), e);
    }
  }

  /** The reactor's version, from the root POM. */
  static String projectVersion(Path root) {
    return child(parse(root.resolve("pom.xml")).getDocumentElement(), "version")
        .map(Element::getTextContent).map(String::trim)
        .orElseThrow(() -> new IllegalStateException("root pom.xml has no <version>"));
  }

  /** The {@code <properties>} of a POM, as written (no interpolation). */
  static Map<String, String> properties(Path pom) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!Files.isRegularFile(pom)) {
      return out;
    }
    child(parse(pom).getDocumentElement(), "properties").ifPresent(props -> {
      NodeList nodes = props.getChildNodes();
      for (int i = 0; i < nodes.getLength(); i++) {
        if (nodes.item(i) instanceof Element e) {
          out.put(e.getTagName(), e.getTextContent().trim());
        }
      }
    });
    return out;
  }

  /**
   * The Jib plugin's {@code <configuration>} in the root POM's pluginManagement (where the whole
   * reactor's image settings live), flattened to paths like {@code to/image} and
   * {@code container/mainClass}; empty when Jib is not configured there.
   */
  static Map<String, String> jibConfiguration(Path root) {
    Map<String, String> out = new LinkedHashMap<>();
    Element project = parse(root.resolve("pom.xml")).getDocumentElement();
    Optional<Element> plugins = child(project, "build").flatMap(b -> child(b, "pluginManagement"))
        .flatMap(pm -> child(pm, "plugins"));
    if (plugins.isEmpty()) {
      return out;
    }
    NodeList list = plugins.get().getChildNodes();
    for (int i = 0; i < list.getLength(); i++) {
      if (list.item(i) instanceof Element plugin
          && child(plugin, "artifactId").map(a -> a.getTextContent().trim()).orElse("").equals(JIB)) {
        child(plugin, "version").ifPresent(v -> out.put("version", v.getTextContent().trim()));
        child(plugin, "configuration").ifPresent(c -> flatten(c, "", out));
      }
    }
    return out;
  }

  /**
   * The {@code <from><platforms>} of the root POM's Jib configuration, as {@code os/architecture}
   * (flattening would keep only the last platform).
   */
  static java.util.List<String> jibPlatforms(Path root) {
    java.util.List<String> out = new java.util.ArrayList<>();
    Element project = parse(root.resolve("pom.xml")).getDocumentElement();
    NodeList plugins = project.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (!child(plugin, "artifactId").map(a -> a.getTextContent().trim()).orElse("").equals(JIB)) {
        continue;
      }
      child(plugin, "configuration").flatMap(c -> child(c, "from")).flatMap(f -> child(f, "platforms")).ifPresent(ps -> {
        NodeList nodes = ps.getChildNodes();
        for (int j = 0; j < nodes.getLength(); j++) {
          if (nodes.item(j) instanceof Element platform && platform.getTagName().equals("platform")) {
            out.add(child(platform, "os").map(e -> e.getTextContent().trim()).orElse("?") + "/"
                + child(platform, "architecture").map(e -> e.getTextContent().trim()).orElse("?"));
          }
        }
      });
    }
    return out;
  }

  private static void flatten(Element element, String prefix, Map<String, String> out) {
    NodeList nodes = element.getChildNodes();
    boolean leaf = true;
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element child) {
        leaf = false;
        flatten(child, prefix.isEmpty() ? child.getTagName() : prefix + "/" + child.getTagName(), out);
      }
    }
    if (leaf && !prefix.isEmpty()) {
      out.put(prefix, element.getTextContent().trim());
    }
  }

  static Optional<Element> child(Element parent, String name) {
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element e && e.getTagName().equals(name)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
