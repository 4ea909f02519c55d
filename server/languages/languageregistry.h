#pragma once

#include "sandboxtypes.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// The language registry: resources/languages.json says, per language, which runtime to use, how
// to compile (optional), run and drive a REPL (optional), which extra read-only binds and
// environment it needs and its default limits. Adding a language is a config change.
// "optionalBinds" are bound when they exist at load (a library's files in /etc, e.g. Debian's
// /etc/matplotlibrc) and skipped otherwise; "libraries" {"names": [...], "probe": "file"} names
// the course libraries /ready reports on (LibraryProbe runs drivers/<probe> once per name).
//
// Command templates are argv lists; these placeholders are expanded (a whole-element placeholder
// that expands to a list inserts several elements):
//   {runtime}   the runtime's real binary (canonical path under /usr)
//   {compiler}  the compile step's real binary
//   {main}      the entry file name (relative to /work)
//   {mainBase}  the entry file name without extension (Java's main class)
//   {sources}   the files handed to the compiler (list)
//   {args}      the program's arguments (list)
//   {out}       the compile step's output directory inside the sandbox (/out)
//   {driver}    the REPL driver's path inside the sandbox
//   {memoryMb}  the program's memory budget in MiB (e.g. -Xmx{memoryMb}m)
namespace coderoom::languages {

struct CompileStep
{
    QString compilerPath;           // resolved canonical path; the compiler's version is hashed
    QString compilerVersion;        // full first line of `--version`, part of the cache key
    QStringList command;            // template, run with /work holding the request's files
    QStringList sourceExtensions;   // files with these extensions become {sources}
    QStringList outputs;            // names or "*.ext" patterns kept from /out
    bool outputsExecutable = false; // C++: the program; Java: class files are plain data
    sandbox::Limits limits;         // the compiler's own limits
    qint64 memoryOverheadMb = 0;    // added to limits.memoryMb for the address space (JVMs)
};

struct ReplSetup
{
    QStringList command; // template; {driver} is the driver's path inside the sandbox
    QString driver;      // file name under <resources>/drivers/
    // Added on top of the language's overhead: the JavaScript driver runs a Worker, a second
    // V8 isolate with its own ~700 MiB of address-space reservations.
    qint64 memoryOverheadMb = 0;
};

// Plain data: what a language is and everything needed to build sandbox Specs for it.
struct Language
{
    QString id;             // "python", "cpp", "java", "javascript"
    QString name;           // "Python"
    QString version;        // "3.11.2", detected once at load
    QStringList extensions; // without dots, lower case; the first is the default
    bool hasRepl = false;
    bool available = false;
    QString problem; // why not available (missing runtime, missing bind source, ...)

    QString runtimePath;    // canonical, under /usr
    QStringList runCommand; // template
    std::optional<CompileStep> compile;
    std::optional<ReplSetup> repl;
    QList<sandbox::Bind> binds; // read-only extras (Java: /etc/java-17-openjdk, ...)
    QStringList environment;    // NAME=value
    sandbox::Limits limits;     // default run limits
    // Added to the memory budget to form the address-space limit: VMs reserve far more virtual
    // memory than they use (node ~740 MiB of reservations, the JVM ~400 MiB beyond its heap).
    qint64 memoryOverheadMb = 0;
    // Libraries a course expects (Python: Debian's numpy, ...), checked by running the probe
    // program (<resources>/drivers/<libraryProbe>, one name as its argument) like a student's
    // run; /ready lists which import (LibraryProbe).
    QStringList libraries;
    QString libraryProbe;

    bool isCompiled() const { return compile.has_value(); }
};

class LanguageRegistry
{
public:
    // Reads and validates the registry, resolves every runtime once and detects its version
    // (runs `--version` outside the sandbox: the binaries are trusted files under /usr). A
    // missing runtime makes that language unavailable with a problem, not an error; a malformed
    // file is an error (nullopt + *error). hasRepl is true only when the REPL driver exists in
    // drivers/ next to the registry file (fromJson cannot check and trusts the config).
    static std::optional<LanguageRegistry> load(const QString &path, QString *error);
    static std::optional<LanguageRegistry> fromJson(const QByteArray &json, QString *error);

    QList<Language> languages() const { return m_languages; } // all, with available + problem
    QList<Language> availableLanguages() const;
    const Language *find(const QString &id) const; // nullptr when unknown
    // Id of the available language owning `ext` ("py" or ".py"), empty when none.
    QString languageForExtension(const QString &ext) const;

private:
    QList<Language> m_languages;
};

// A Spec for a REPL interpreter of `language`: the driver from <resourcesDir>/drivers/ is bound
// into /work by descriptor (no host path to reach), controlChannel is on, stdin
// interactive. nullopt (+ *error) when the language has no REPL, is unavailable or the driver
// file is missing.
std::optional<sandbox::Spec> replSpec(const Language &language, const QString &resourcesDir,
                                      QString *error = nullptr);

// Where languages.json and drivers/ live: $CODEROOM_RESOURCES_DIR if set, else the source tree's
// resources/ when it exists (running from a build tree), else <prefix>/share/coderoom.
QString defaultResourcesDir();

// Values for the placeholders of a command template.
struct TemplateValues
{
    QString runtime;
    QString compiler;
    QString main;
    QStringList sources;
    QStringList args;
    QString out = QStringLiteral("/out");
    QString driver;
    qint64 memoryMb = 256;
};

// Expands a command template (see the placeholder list above). Unknown placeholders are left
// as they are; the registry rejects them at load.
QStringList expandCommand(const QStringList &templ, const TemplateValues &values);

} // namespace coderoom::languages
