/** The seed fixtures, loaded through the real profile loader. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModelFromText } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';

export const FIXTURES = ['seed003-teql', 'seed001-multipath', 'seed004-weights', 'seed000-equalize'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const fixturePath = (name: FixtureName): string => fileURLToPath(new URL(`../fixtures/${name}.yaml`, import.meta.url));

/** The model of a fixture, labelled with its repo-relative path (for messages; no rendered file names it). */
export function fixtureModel(name: FixtureName): Model {
  return loadModelFromText(readFileSync(fixturePath(name), 'utf8'), `test/fixtures/${name}.yaml`).model;
}
