import { beforeAll, describe, expect, it } from 'vitest';
import { PluginError, PluginRegistry } from '../src/index.js';
import { buildLibraries, type BuiltLibraries } from './helpers.js';

let libs: BuiltLibraries;
beforeAll(async () => {
  libs = await buildLibraries();
});

describe('PluginRegistry.load', () => {
  it('registers the creators of a real plugin library with their fields', () => {
    const registry = new PluginRegistry();
    const creators = registry.load(libs.yoloDecode);
    expect(creators).toEqual([
      {
        name: 'YoloDecode',
        version: '1',
        namespace: 'kiln.examples',
        library: libs.yoloDecode,
        fields: [
          { name: 'anchors', type: 'float32', length: -1 },
          { name: 'strides', type: 'float32', length: -1 },
          { name: 'num_classes', type: 'int64', length: 1 },
        ],
      },
    ]);
    expect(registry.has('YoloDecode')).toBe(false);
    expect(registry.has('YoloDecode', '1', 'kiln.examples')).toBe(true);
    expect(registry.hasCreator('YoloDecode', 'kiln.examples')).toBe(true);
    expect(registry.hasCreator('YoloDecode', '')).toBe(false);
    registry.load(libs.misbehaving);
    expect(registry.list().map((c) => c.name)).toEqual(['YoloDecode', 'FailingOp', 'BadShapes', 'GreedyOp']);
  });

  it('refuses a missing file', () => {
    expect(() => new PluginRegistry().load('/no/such/libplugin.so')).toThrow(PluginError);
    expect(() => new PluginRegistry().load('/no/such/libplugin.so')).toThrow(/no such file/);
  });

  it('refuses a library without the entry point', () => {
    expect(() => new PluginRegistry().load(libs.noEntry)).toThrow(/does not export kiln_get_plugin_library\(\)/);
  });

  it('refuses a library built for another ABI major version', () => {
    expect(() => new PluginRegistry().load(libs.wrongAbi)).toThrow(/plugin ABI 99\.0; this Kiln speaks ABI 1\.0/);
  });

  it('refuses a duplicate name, version and namespace', () => {
    const registry = new PluginRegistry();
    registry.load(libs.scaledSwish);
    expect(() => registry.load(libs.scaledSwish)).toThrow(/'ScaledSwish' version '1' in namespace 'kiln.examples' is already registered/);
    expect(registry.list()).toHaveLength(1);
  });
});
