#pragma once

#include <QString>

#include <optional>

// Finds "which file, which line" in one line of program output, for clickable errors:
//   Python traceback   File "main.py", line 3, in <module>
//   g++ / clang        main.cpp:4:5: error: expected ';'
//   javac              Main.java:3: error: ';' expected
//   Java stack trace   at Main.main(Main.java:5)
//   node stack / head  at Object.<anonymous> (/sandbox/main.js:3:9)   or   /sandbox/main.js:3
// The file is returned as printed (it may be a sandbox path); EditorTabs::editorForFile() matches
// it by name.
namespace coderoom::ui {

struct Diagnostic
{
    QString file;
    int line = 0;   // 1-based
    int column = 0; // 1-based; 0 when the tool does not print one
    bool isValid() const { return !file.isEmpty() && line > 0; }
};

class DiagnosticParser
{
public:
    static std::optional<Diagnostic> parse(const QString &line);
};

} // namespace coderoom::ui
