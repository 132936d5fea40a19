/**
 * File types as file_contexts and selabel_lookup know them: the `st_mode & S_IFMT` values
 * (S include/uapi/linux/stat.h), the spec-file field that restricts a specification to one of them
 * (S libselinux/src/label_file.h string_to_mode: `--` `-d` `-c` `-b` `-l` `-s` `-p`), and the names
 * svirt's CLI uses for them (`any` = mode 0: every specification applies).
 */

export type FileTypeName = 'file' | 'dir' | 'chr' | 'blk' | 'lnk' | 'sock' | 'fifo' | 'any';

/** S_IFMT values (octal, as in <sys/stat.h>); `any` is 0. */
export const FILE_TYPE_MODE: Readonly<Record<FileTypeName, number>> = {
  file: 0o100000,
  dir: 0o040000,
  chr: 0o020000,
  blk: 0o060000,
  lnk: 0o120000,
  sock: 0o140000,
  fifo: 0o010000,
  any: 0,
};

export const S_IFMT = 0o170000;

/** The spec-file type field → S_IFMT value (label_file.h string_to_mode). */
const FIELD_MODE: ReadonlyMap<string, number> = new Map([
  ['--', FILE_TYPE_MODE.file],
  ['-d', FILE_TYPE_MODE.dir],
  ['-c', FILE_TYPE_MODE.chr],
  ['-b', FILE_TYPE_MODE.blk],
  ['-l', FILE_TYPE_MODE.lnk],
  ['-s', FILE_TYPE_MODE.sock],
  ['-p', FILE_TYPE_MODE.fifo],
]);

/** The S_IFMT value of a spec-file type field, or undefined when it is not one of the seven. */
export function modeOfTypeField(field: string): number | undefined {
  return FIELD_MODE.get(field);
}

/** The spec-file field for a mode (for messages and round trips); '' for 0. */
export function typeFieldOfMode(mode: number): string {
  for (const [field, m] of FIELD_MODE) if (m === mode) return field;
  return '';
}

const NAMES: ReadonlySet<string> = new Set(Object.keys(FILE_TYPE_MODE));

export function isFileTypeName(text: string): text is FileTypeName {
  return NAMES.has(text);
}

/**
 * matchpathcon's one-letter `-m` spellings (S libselinux/utils/matchpathcon.c string_to_mode reads
 * only the first letter; svirt accepts the letters alone so that `fifo` keeps meaning a FIFO).
 */
const LETTER_NAMES: ReadonlyMap<string, FileTypeName> = new Map([
  ['f', 'file'],
  ['d', 'dir'],
  ['c', 'chr'],
  ['b', 'blk'],
  ['l', 'lnk'],
  ['s', 'sock'],
  ['p', 'fifo'],
]);

/** A CLI mode argument (a name above or a matchpathcon letter) → its name, or undefined. */
export function parseFileTypeArgument(text: string): FileTypeName | undefined {
  if (isFileTypeName(text)) return text;
  return LETTER_NAMES.get(text);
}

/** The file type of an `lstat` st_mode (0 bits → `any`). */
export function fileTypeOfStatMode(stMode: number): FileTypeName {
  const fmt = stMode & S_IFMT;
  for (const name of NAMES as ReadonlySet<FileTypeName>) if (FILE_TYPE_MODE[name] === fmt) return name;
  return 'any';
}
