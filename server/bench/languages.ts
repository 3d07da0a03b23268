// The languages the benchmark cuts tasks from: file extensions, comment and string syntax (for
// removing comments and string contents before scoring), and keywords (which are not identifiers).

export interface Language {
  id: string;
  extensions: string[];
  /** Line comment openers. */
  lineComments: string[];
  /** Block comment [open, close] pairs. */
  blockComments: [string, string][];
  /** String delimiters, longest first ("\"\"\"" before "\""); those in `multiline` may span lines. */
  strings: string[];
  multiline: string[];
  keywords: ReadonlySet<string>;
}

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

const C_COMMENTS = { lineComments: ["//"], blockComments: [["/*", "*/"]] as [string, string][] };

const JS_KEYWORDS =
  "break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static await async of undefined";
const TS_KEYWORDS = `${JS_KEYWORDS} abstract any as asserts bigint boolean declare enum implements infer interface is keyof module namespace never number object private protected public readonly require satisfies string symbol type unique unknown override accessor`;

export const LANGUAGES: Language[] = [
  { id: "typescript", extensions: [".ts", ".tsx", ".mts", ".cts"], ...C_COMMENTS, strings: ["`", '"', "'"], multiline: ["`"], keywords: words(TS_KEYWORDS) },
  { id: "javascript", extensions: [".js", ".jsx", ".mjs", ".cjs"], ...C_COMMENTS, strings: ["`", '"', "'"], multiline: ["`"], keywords: words(JS_KEYWORDS) },
  {
    id: "python",
    extensions: [".py"],
    lineComments: ["#"],
    blockComments: [],
    strings: ['"""', "'''", '"', "'"],
    multiline: ['"""', "'''"],
    keywords: words("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case"),
  },
  {
    id: "go",
    extensions: [".go"],
    ...C_COMMENTS,
    strings: ["`", '"', "'"],
    multiline: ["`"],
    keywords: words("break case chan const continue default defer else fallthrough for func go goto if import interface map package range return select struct switch type var true false nil iota"),
  },
  {
    id: "rust",
    extensions: [".rs"],
    ...C_COMMENTS,
    // ' is also a lifetime ('a): only double quotes delimit strings here.
    strings: ['"'],
    multiline: ['"'],
    keywords: words("as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while"),
  },
  {
    id: "java",
    extensions: [".java"],
    ...C_COMMENTS,
    strings: ['"""', '"', "'"],
    multiline: ['"""'],
    keywords: words("abstract assert boolean break byte case catch char class const continue default do double else enum extends final finally float for goto if implements import instanceof int interface long native new package private protected public return short static strictfp super switch synchronized this throw throws transient try void volatile while true false null var record yield"),
  },
  {
    id: "kotlin",
    extensions: [".kt", ".kts"],
    ...C_COMMENTS,
    strings: ['"""', '"', "'"],
    multiline: ['"""'],
    keywords: words("as break class continue do else false for fun if in interface is null object package return super this throw true try typealias typeof val var when while by catch constructor finally get import init set where override private public protected internal open data sealed companion"),
  },
  {
    id: "c",
    extensions: [".c", ".h"],
    ...C_COMMENTS,
    strings: ['"', "'"],
    multiline: [],
    keywords: words("auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while NULL true false bool"),
  },
  {
    id: "cpp",
    extensions: [".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"],
    ...C_COMMENTS,
    strings: ['"', "'"],
    multiline: [],
    keywords: words("alignas alignof auto bool break case catch char class const constexpr const_cast continue decltype default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline int long mutable namespace new noexcept nullptr operator private protected public register reinterpret_cast return short signed sizeof static static_assert static_cast struct switch template this throw true try typedef typeid typename union unsigned using virtual void volatile while override final"),
  },
  {
    id: "csharp",
    extensions: [".cs"],
    ...C_COMMENTS,
    strings: ['"', "'"],
    multiline: [],
    keywords: words("abstract as base bool break byte case catch char checked class const continue decimal default delegate do double else enum event explicit extern false finally fixed float for foreach goto if implicit in int interface internal is lock long namespace new null object operator out override params private protected public readonly ref return sbyte sealed short sizeof static string struct switch this throw true try typeof uint ulong unchecked unsafe ushort using virtual void volatile while var async await"),
  },
  {
    id: "ruby",
    extensions: [".rb"],
    lineComments: ["#"],
    blockComments: [["=begin", "=end"]],
    strings: ['"', "'"],
    multiline: ['"', "'"],
    keywords: words("BEGIN END alias and begin break case class def defined? do else elsif end ensure false for if in module next nil not or redo rescue retry return self super then true undef unless until when while yield"),
  },
  {
    id: "lua",
    extensions: [".lua"],
    lineComments: ["--"],
    blockComments: [["--[[", "]]"]],
    strings: ['"', "'"],
    multiline: [],
    keywords: words("and break do else elseif end false for function goto if in local nil not or repeat return then true until while"),
  },
];

const BY_EXTENSION = new Map(LANGUAGES.flatMap((l) => l.extensions.map((e) => [e, l] as const)));
const BY_ID = new Map(LANGUAGES.map((l) => [l.id, l]));

export function languageOfPath(path: string): Language | undefined {
  const dot = path.lastIndexOf(".");
  return dot < 0 ? undefined : BY_EXTENSION.get(path.slice(dot).toLowerCase());
}

export function languageById(id: string): Language | undefined {
  return BY_ID.get(id);
}
