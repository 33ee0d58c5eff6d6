'use strict';
// The standard field options (unit, decimals, min, max, display name, no value, thresholds, color,
// value mappings, links) as Grafana's app registers them for every panel. @grafana/data ships the
// registry class and each option's processor but leaves the registry empty; without these entries
// applyFieldOverrides would silently drop a panel's fieldConfig.defaults.
function standardFieldConfigRegistry(g) {
  const numbers = (field) => field.type === g.FieldType.number;
  const all = () => true;
  const option = (id, process, shouldApply = all) => ({
    id,
    path: id,
    name: id,
    process,
    shouldApply,
    override: () => null,
    editor: () => null,
    settings: {},
  });
  const registry = new g.FieldConfigOptionsRegistry();
  registry.setInit(() => [
    option('unit', g.stringOverrideProcessor, numbers),
    option('decimals', g.numberOverrideProcessor, numbers),
    option('min', g.numberOverrideProcessor, numbers),
    option('max', g.numberOverrideProcessor, numbers),
    option('displayName', g.displayNameOverrideProcessor),
    option('noValue', g.stringOverrideProcessor),
    option('color', g.identityOverrideProcessor),
    option('thresholds', g.thresholdsOverrideProcessor),
    option('mappings', g.valueMappingsOverrideProcessor),
    option('links', g.dataLinksOverrideProcessor),
  ]);
  return registry;
}

module.exports = { standardFieldConfigRegistry };
