/** The seed fixtures, loaded through the real profile loader. */
import { join } from 'node:path';
import { loadModelFromFile } from '../../src/model/load.js';
import type { Model } from '../../src/model/model.js';

export const FIXTURES = ['seed003-teql', 'seed001-multipath', 'seed004-weights', 'seed000-equalize'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const fixturePath = (name: FixtureName): string => join(__dirname, '..', 'fixtures', `${name}.yaml`);

export function fixtureModel(name: FixtureName): Model {
  return loadModelFromFile(fixturePath(name));
}
