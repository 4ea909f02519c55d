// coderoomd --check-config through the real binary: exit 0 and the effective configuration, or
// exit 2 and every error; a bad configuration also stops the server itself with exit 2.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCheckConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QByteArray &text)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(text);
        return f.fileName();
    }

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static Run coderoomd(const QStringList &args, const QStringList &env = {})
    {
        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (const QString &k : e.keys()) {
            if (k.startsWith(QLatin1String("CODEROOM_")))
                e.remove(k); // the test decides every source
        }
        for (const QString &a : env)
            e.insert(a.section(u'=', 0, 0), a.section(u'=', 1));
        p.setProcessEnvironment(e);
        p.start(QStringLiteral(CODEROOMD_PATH), args);
        if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit)
            return {};
        return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void goodConfigPrintsTheEffectiveValues()
    {
        const QString file =
            writeFile("good.conf", "data_dir = " + m_dir.path().toUtf8() + "\nmemory_mb = 512\n");
        const Run r = coderoomd({"--check-config", "--config", file, "--workers", "3"},
                                {"CODEROOM_NODE=room-7"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("memory_mb = 512"), r.out.constData());
        QVERIFY(r.out.contains(QByteArray("# line 2 of " + file.toUtf8())));
        QVERIFY(r.out.contains("workers = 3"));
        QVERIFY(r.out.contains("# from --workers"));
        QVERIFY(r.out.contains("node = room-7"));
        QVERIFY(r.out.contains("# from CODEROOM_NODE"));
        QVERIFY(r.out.contains("run_time_ms = 10000"));
        QVERIFY(r.err.isEmpty());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("file"); // %D: a data dir
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("a bad number")
            << QByteArray("data_dir = %D\nmemory_mb = abc\n")
            << QByteArray("coderoomd: memory_mb must be a positive whole number, not \"abc\" "
                          "(line 2 of ");
        QTest::addRow("an unknown key")
            << QByteArray("data_dir = %D\nlisten_port = 80\n")
            << QByteArray("coderoomd: unknown key \"listen_port\" (line 2 of ");
        QTest::addRow("no data dir")
            << QByteArray("node = x\n") << QByteArray("coderoomd: data_dir is required");
        QTest::addRow("a certificate that is no certificate")
            << QByteArray(
                   "data_dir = %D\ntls_certificate = /etc/hostname\ntls_key = /etc/hostname\n")
            << QByteArray("coderoomd: tls_certificate /etc/hostname: no PEM certificate in it");
    }

    void errors()
    {
        QFETCH(QByteArray, file);
        QFETCH(QByteArray, expected);
        const QString path =
            writeFile("bad.conf", QByteArray(file).replace("%D", m_dir.path().toUtf8()));
        const Run check = coderoomd({"--check-config", "--config", path});
        QCOMPARE(check.exitCode, 2);
        QVERIFY2(check.err.contains(expected), check.err.constData());
        QVERIFY(check.out.isEmpty());
    }

    void badConfigStopsTheServerWithExit2()
    {
        const QString path =
            writeFile("stop.conf", "data_dir = " + m_dir.path().toUtf8() + "\nwarm_pool = lots\n");
        const Run serve = coderoomd({"--config", path, "--listen", "127.0.0.1:0"});
        QCOMPARE(serve.exitCode, 2);
        QVERIFY2(serve.err.contains("warm_pool must be a whole number from 0 to 64, not \"lots\""),
                 serve.err.constData());
        QVERIFY(!serve.out.contains("listening"));
    }
};

QTEST_GUILESS_MAIN(TestCheckConfig)
#include "tst_checkconfig.moc"
