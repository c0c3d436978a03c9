/** The seed fixtures, loaded through the real profile loader. */
import { fileURLToPath } from 'node:url';
import { loadModelFromFile } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';

export const FIXTURES = ['seed003-teql', 'seed001-multipath', 'seed004-weights', 'seed000-equalize'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const fixturePath = (name: FixtureName): string => fileURLToPath(new URL(`../fixtures/${name}.yaml`, import.meta.url));

export function fixtureModel(name: FixtureName): Model {
  return loadModelFromFile(fixturePath(name));
}
