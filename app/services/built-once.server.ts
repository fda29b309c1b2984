/**
 * Values built once per key and process — things a published round never changes — where a crowd of
 * simultaneous first requests shares the one build instead of each starting its own. A failed build
 * is forgotten, so the next request tries again.
 */
export function builtOnce<T>() {
  const builds = new Map<string, Promise<T>>();
  return (key: string, build: () => Promise<T>): Promise<T> => {
    let building = builds.get(key);
    if (!building) {
      building = build();
      builds.set(key, building);
      building.catch(() => builds.delete(key));
    }
    return building;
  };
}
