/**
 * This package is reserved in the srekit workspace and exports nothing yet. Its features are
 * tracked as issues; see the repository README for the package map.
 *
 * @packageDocumentation
 */
export {};
