#pragma once

#include "codeservice.h"

#include <QCoreApplication>

// The one place where server statuses, error codes, connection states and restore reasons become
// sentences a student reads. Everything here is translated (context "StatusText"); nothing else
// in the app turns a protocol enum into text.
namespace coderoom::repl {

class StatusText
{
    Q_DECLARE_TR_FUNCTIONS(StatusText)
public:
    // The status line under a run: "Finished in 0.12 s", "Stopped: ran longer than 10 s", ...
    static QString runSummary(const protocol::Result &result,
                              const protocol::ServerLimits &limits = {});
    // For a REPL evaluation: empty when nothing needs saying (ok, or an error whose traceback
    // the student already saw on stderr).
    static QString evalSummary(const protocol::Result &result,
                               const protocol::ServerLimits &limits = {});
    static QString errorText(protocol::ErrorCode code);
    static QString connectionText(app::ConnectionState state, const QString &detail,
                                  int retryInSeconds);
    static QString restoreNote(protocol::RestoreReason reason, qint64 replayed);
    static QString queued(int position);
    static QString running();
    static QString ready();
};

} // namespace coderoom::repl
