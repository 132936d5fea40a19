/** File contexts as libselinux's selabel_lookup computes them: the public surface of src/labeling. */
export { FileContexts, NONE_CONTEXT, normalizeKey, pathBytes, type CompiledSpec, type SpecMatch } from './file-contexts.js';
export { embeddedFileContextsDir, fileContextsFromText, loadFileContexts, type FileContextsOptions, type FileContextsTexts } from './load.js';
export { FILE_TYPE_MODE, fileTypeOfStatMode, isFileTypeName, parseFileTypeArgument, type FileTypeName } from './file-type.js';
export { translateFileContextRegex, type TranslatedRegex, type TranslateResult } from './pcre-translate.js';
export { parseSpecFile, parseSubstitutions, type SpecLine, type Substitution } from './spec-file.js';
