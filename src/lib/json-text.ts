// JSON text kept beside objects answered many times unchanged (a license or machine the Client API presents again
// for each validation answered from memory): serialized once per object. Only frozen objects keep their text, so
// the text can never disagree with the object it stands for.

const texts = new WeakMap<object, string>();

/** Freezes `value` and every object and array inside it; answers `value`. */
export const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
};

/** JSON.stringify(value), made once for a frozen object and reused for as long as that object lives. */
export const jsonText = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const known = texts.get(value);
  if (known !== undefined) return known;
  const text = JSON.stringify(value);
  if (Object.isFrozen(value)) texts.set(value, text);
  return text;
};
