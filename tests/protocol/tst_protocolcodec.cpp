#include "codec.h"
#include <QTest>
using namespace coderoom::protocol;
class TestProtocolCodec : public QObject
{
    Q_OBJECT
private slots:
    void smoke()
    {
        auto d = decodeClientMessage(R"({"type":"hello","protocol":1,"token":"t"})");
        QVERIFY(d.isValid());
    }
};
QTEST_GUILESS_MAIN(TestProtocolCodec)
#include "tst_protocolcodec.moc"
