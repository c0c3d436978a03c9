/**
 * Templates precompiled by the bundled build (scripts/build.mjs replaces this
 * module with every templates/*.hbs precompiled, strict and noEscape). From
 * src (tests, tsx) it is empty and templates.ts compiles the .hbs files.
 */
export const PRECOMPILED: Record<string, TemplateSpecification> | undefined = undefined;
