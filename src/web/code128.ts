// Code 128 (code set B) as inline SVG: the barcode of a sandbox patron's code, for a POS scanner.
// Code set B covers printable ASCII (32–126); patron codes are `pc_` + base62, well inside it.

/** Bar/space widths (modules, bar first) of symbol values 0–106; 106 is STOP with its termination bar. */
export const CODE128_WIDTHS: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];

export const START_B = 104;
export const STOP = 106;

/** The symbol values of `text` in code set B (ASCII − 32); throws on a character set B cannot encode. */
export function valuesB(text: string): number[] {
  if (text.length === 0) throw new RangeError('Code 128: nothing to encode');
  return [...text].map((ch) => {
    const code = ch.charCodeAt(0);
    if (ch.length !== 1 || code < 32 || code > 126) throw new RangeError(`Code 128 set B cannot encode ${JSON.stringify(ch)}`);
    return code - 32;
  });
}

/** (start + Σ position × value) mod 103, positions counted from 1. */
export function checksumB(text: string): number {
  return valuesB(text).reduce((sum, value, i) => sum + value * (i + 1), START_B) % 103;
}

/** Every symbol of the barcode, start to stop: START B, the data, the check symbol, STOP. */
export function symbolsB(text: string): number[] {
  return [START_B, ...valuesB(text), checksumB(text), STOP];
}

/** The barcode as modules: '1' bar, '0' space (without quiet zones). */
export function modulesB(text: string): string {
  let out = '';
  for (const symbol of symbolsB(text)) {
    const widths = CODE128_WIDTHS[symbol] as string;
    [...widths].forEach((w, i) => (out += (i % 2 === 0 ? '1' : '0').repeat(Number(w))));
  }
  return out;
}

/**
 * An SVG of the barcode: one rect per bar, 10-module quiet zones, scaled by the viewBox so it
 * stays crisp at any width. `label` names it for screen readers.
 */
export function code128Svg(text: string, options: { height?: number; label?: string } = {}): string {
  const modules = modulesB(text);
  const quiet = 10;
  const height = options.height ?? 60;
  const width = modules.length + 2 * quiet;
  const bars: string[] = [];
  for (let i = 0; i < modules.length; ) {
    if (modules[i] === '1') {
      let j = i;
      while (modules[j] === '1') j++;
      bars.push(`M${i + quiet} 0h${j - i}v${height}h-${j - i}z`);
      i = j;
    } else i++;
  }
  const label = (options.label ?? `Barcode ${text}`).replace(/[<>&"]/g, '');
  return (
    `<svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" shape-rendering="crispEdges" role="img" aria-label="${label}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/><path fill="#000000" d="${bars.join('')}"/></svg>`
  );
}
