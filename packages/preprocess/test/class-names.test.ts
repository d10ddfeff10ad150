import { describe, expect, it } from 'vitest';
import { parseClassNames, PostprocessError } from '../src/index.js';

describe('parseClassNames', () => {
  it("reads YOLOv5's Python dict literal", () => {
    expect(parseClassNames("{0: 'person', 1: 'bicycle', 2: 'car', 3: 'traffic light', 4: 'teddy bear'}")).toEqual([
      'person',
      'bicycle',
      'car',
      'traffic light',
      'teddy bear',
    ]);
  });

  it('reads quotes and escapes as Python writes them', () => {
    expect(parseClassNames(`{0: "it's", 1: 'say \\'hi\\'', 2: 'back\\\\slash', 3: 'caf\\xe9', 4: '日本',}`)).toEqual([
      "it's",
      "say 'hi'",
      'back\\slash',
      'café',
      '日本',
    ]);
  });

  it('reads a Python list, a JSON array and a JSON object', () => {
    expect(parseClassNames("['person', 'bicycle']")).toEqual(['person', 'bicycle']);
    expect(parseClassNames('["person", "bicycle"]')).toEqual(['person', 'bicycle']);
    expect(parseClassNames('{"1": "bicycle", "0": "person"}')).toEqual(['person', 'bicycle']);
    expect(parseClassNames('  {\n  0: "a",\n  1: "b\\u00e9"\n}  ')).toEqual(['a', 'bé']);
  });

  it('explains what it cannot read', () => {
    expect(() => parseClassNames("{0: 'a', 2: 'c'}")).toThrow('class names skip ids 1');
    expect(() => parseClassNames("{0: 'a' 1: 'b'}")).toThrow(/expected ',' or '}' at character 8/);
    expect(() => parseClassNames("{0: 'a'")).toThrow(/unexpected end|expected ','/);
    expect(() => parseClassNames("{'x': 'a'}")).toThrow(/class id "x"/);
    expect(() => parseClassNames('{0: 1}')).toThrow(/name of class 0 is not a string/);
    expect(() => parseClassNames("['a'] junk")).toThrow(PostprocessError);
    expect(() => parseClassNames("'person'")).toThrow(/dict or a list/);
  });
});
