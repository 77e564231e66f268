/**
 * paralens/web: the root API and paralens/io's names in one ES module file
 * (dist/web/paralens.js), for pages, workers and CDNs that load a file rather
 * than bundle the package. Everything a learner does, saving included, is in
 * that file: a module Service Worker may not import() more code.
 *
 * @module paralens/web
 */
export * from "./index.ts";
export * from "./io/index.ts";
