#include "sandboxtestutil.h"

using namespace coderoom::sandbox;
using namespace sandboxtest;

class TestHostile : public QObject
{
    Q_OBJECT
private slots:
    void init() { failOnDestroyedProcess(); }
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
