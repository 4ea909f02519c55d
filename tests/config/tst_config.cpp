// coderoom_config: precedence (file < environment < flags), every bad value named clearly,
// unknown keys, admin subcommands, and the flags coderoomd always had.
#include "configloader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using coderoom::config::ConfigAction;
using coderoom::config::ConfigResult;
using coderoom::config::loadServerConfig;

class TestConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString writeFile(const QString &name, const QString &text)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        file.write(text.toUtf8());
        return path;
    }

    static QProcessEnvironment env(const QStringList &assignments)
    {
        QProcessEnvironment e;
        for (const QString &a : assignments)
            e.insert(a.section(QLatin1Char('='), 0, 0), a.section(QLatin1Char('='), 1));
        return e;
    }

    // The value --check-config shows for `key` ("memory_mb = 512   # from ..." -> "512").
    static QString shown(const ConfigResult &result, const QString &key)
    {
        const QStringList lines = result.text.split(QLatin1Char('\n'));
        for (const QString &line : lines) {
            if (line.startsWith(key + QStringLiteral(" = ")))
                return line.mid(key.size() + 3).section(QStringLiteral(" #"), 0, 0).trimmed();
        }
        return QStringLiteral("<missing>");
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void precedence_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("fileValue"); // empty: not in the file
        QTest::addColumn<QString>("envValue");  // empty: not in the environment
        QTest::addColumn<QString>("flagValue"); // empty: no flag
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("origin");

        QTest::addRow("no source: the default") << "memory_mb"
                                                << ""
                                                << ""
                                                << ""
                                                << "256"
                                                << "default";
        QTest::addRow("the file alone sets it") << "memory_mb"
                                                << "100"
                                                << ""
                                                << ""
                                                << "100"
                                                << "line 2 of";
        QTest::addRow("the environment beats the file") << "memory_mb"
                                                        << "100"
                                                        << "200"
                                                        << ""
                                                        << "200"
                                                        << "from CODEROOM_MEMORY_MB";
        QTest::addRow("a flag beats environment and file") << "memory_mb"
                                                           << "100"
                                                           << "200"
                                                           << "300"
                                                           << "300"
                                                           << "from --memory-mb";
        QTest::addRow("a flag beats the file without environment") << "run_time_ms"
                                                                   << "5000"
                                                                   << ""
                                                                   << "7000"
                                                                   << "7000"
                                                                   << "from --run-time-ms";
        QTest::addRow("the environment alone sets it") << "workers"
                                                       << ""
                                                       << "3"
                                                       << ""
                                                       << "3"
                                                       << "from CODEROOM_WORKERS";
        QTest::addRow("a text key follows the same order") << "node"
                                                           << "file-node"
                                                           << "env-node"
                                                           << "flag-node"
                                                           << "flag-node"
                                                           << "from --node";
        QTest::addRow("listen from the environment over the file") << "listen"
                                                                   << "127.0.0.1:1000"
                                                                   << "0.0.0.0:2000"
                                                                   << ""
                                                                   << "0.0.0.0:2000"
                                                                   << "from CODEROOM_LISTEN";
        QTest::addRow("a boolean flag without value beats false in the environment")
            << "rest_without_token"
            << "false"
            << "false"
            << "on"
            << "true"
            << "from --rest-without-token";
        QTest::addRow("a boolean in the file") << "rest_without_token"
                                               << "yes"
                                               << ""
                                               << ""
                                               << "true"
                                               << "line 2 of";
        QTest::addRow("log_format from the environment") << "log_format"
                                                         << "text"
                                                         << "json"
                                                         << ""
                                                         << "json"
                                                         << "from CODEROOM_LOG_FORMAT";
        QTest::addRow("warm_pool 0 is allowed") << "warm_pool"
                                                << "0"
                                                << ""
                                                << ""
                                                << "0"
                                                << "line 2 of";
    }

    void precedence()
    {
        QFETCH(QString, key);
        QFETCH(QString, fileValue);
        QFETCH(QString, envValue);
        QFETCH(QString, flagValue);
        QFETCH(QString, expected);
        QFETCH(QString, origin);

        QString text = QStringLiteral("# test\ndata_dir = %1\n").arg(m_dir.path());
        if (!fileValue.isEmpty())
            text = QStringLiteral("# test\n%1 = %2\ndata_dir = %3\n")
                       .arg(key, fileValue, m_dir.path());
        const QString file = writeFile(QStringLiteral("precedence.conf"), text);
        QStringList args{QStringLiteral("coderoomd"), QStringLiteral("--check-config"),
                         QStringLiteral("--config"), file};
        const QString flag = QStringLiteral("--") + QString(key).replace(u'_', u'-');
        if (key == QLatin1String("rest_without_token") && !flagValue.isEmpty())
            args << flag;
        else if (!flagValue.isEmpty())
            args << flag << flagValue;
        QStringList vars;
        if (!envValue.isEmpty())
            vars << QStringLiteral("CODEROOM_%1=%2").arg(key.toUpper(), envValue);

        const ConfigResult result = loadServerConfig(args, env(vars));
        QVERIFY2(result.errors.isEmpty(), qPrintable(result.errorText()));
        QCOMPARE(result.action, ConfigAction::CheckConfig);
        QCOMPARE(shown(result, key), expected);
        const QString line =
            result.text.section(key + QStringLiteral(" = "), 1).section(u'\n', 0, 0);
        QVERIFY2(line.contains(QStringLiteral("# ") + origin), qPrintable(line));
    }

    void storesIntoServerConfig()
    {
        const QString file =
            writeFile(QStringLiteral("all.conf"),
                      QStringLiteral("listen = [::1]:9000\n"
                                     "data_dir = data   # relative: to this file's directory\n"
                                     "token_file = \"/srv/token #1\"\n"
                                     "queue_ttl_ms = 1234\n"
                                     "max_code_bytes = 4096\n"
                                     "max_per_user = 3\n"
                                     "max_queue = 9\n"
                                     "output_bytes = 999\n"
                                     "max_interpreters = 5\n"
                                     "shutdown_grace_ms = 700\n"
                                     "max_frame_bytes = 65536\n"
                                     "verbose = on\n"
                                     "log_format = json\n"));
        const ConfigResult r =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--config"), file}, {});
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errorText()));
        QCOMPARE(r.action, ConfigAction::Serve);
        QCOMPARE(r.configFile, file);
        QCOMPARE(r.config.address, QHostAddress(QStringLiteral("::1")));
        QCOMPARE(r.config.port, quint16(9000));
        QCOMPARE(r.config.dataDir, m_dir.filePath(QStringLiteral("data")));
        QCOMPARE(r.config.tokenFile, QStringLiteral("/srv/token #1"));
        QCOMPARE(r.config.scheduler.queueTtlMs, 1234);
        QCOMPARE(r.config.limits.queueTtlMs, 1234);
        QCOMPARE(r.config.limits.maxCodeBytes, 4096);
        QCOMPARE(r.config.scheduler.maxPerUser, 3);
        QCOMPARE(r.config.scheduler.maxQueued, 9);
        QCOMPARE(r.config.limits.outputBytes, 999);
        QCOMPARE(r.config.maxInterpreters, 5);
        QCOMPARE(r.config.shutdownGraceMs, 700);
        QCOMPARE(r.config.maxFrameBytes, 65536);
        QVERIFY(r.config.verbose);
        QCOMPARE(r.config.logFormat, coderoom::core::LogFormat::Json);
    }

    // Every flag main.cpp had before the config module, with its old syntax.
    void existingFlagsKeepWorking()
    {
        const QStringList args{QStringLiteral("coderoomd"),   QStringLiteral("--listen"),
                               QStringLiteral("localhost:0"), QStringLiteral("--data-dir"),
                               QStringLiteral("rel/data"),    QStringLiteral("--token-file"),
                               QStringLiteral("/tmp/tok"),    QStringLiteral("--resources-dir"),
                               QStringLiteral("/opt/res"),    QStringLiteral("--node"),
                               QStringLiteral("node-b"),      QStringLiteral("--workers"),
                               QStringLiteral("2"),           QStringLiteral("--max-queue"),
                               QStringLiteral("7"),           QStringLiteral("--max-per-user"),
                               QStringLiteral("4"),           QStringLiteral("--queue-ttl-ms"),
                               QStringLiteral("800"),         QStringLiteral("--run-time-ms"),
                               QStringLiteral("900"),         QStringLiteral("--memory-mb=128"),
                               QStringLiteral("--verbose"),   QStringLiteral("--max-interpreters"),
                               QStringLiteral("6"),           QStringLiteral("--warm-pool"),
                               QStringLiteral("0"),           QStringLiteral("--output-bytes"),
                               QStringLiteral("4096")};
        const ConfigResult r = loadServerConfig(args, {});
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errorText()));
        QCOMPARE(r.action, ConfigAction::Serve);
        QCOMPARE(r.config.address, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(r.config.port, quint16(0));
        QCOMPARE(r.config.dataDir, QDir::current().absoluteFilePath(QStringLiteral("rel/data")));
        QCOMPARE(r.config.tokenFile, QStringLiteral("/tmp/tok"));
        QCOMPARE(r.config.resourcesDir, QStringLiteral("/opt/res"));
        QCOMPARE(r.config.node, QStringLiteral("node-b"));
        QCOMPARE(r.config.scheduler.workers, 2);
        QCOMPARE(r.config.scheduler.maxQueued, 7);
        QCOMPARE(r.config.scheduler.maxPerUser, 4);
        QCOMPARE(r.config.scheduler.queueTtlMs, 800);
        QCOMPARE(r.config.limits.runTimeMs, 900);
        QCOMPARE(r.config.limits.memoryMb, 128);
        QVERIFY(r.config.verbose);
        QCOMPARE(r.config.maxInterpreters, 6);
        QCOMPARE(r.config.warmPool, 0);
        QCOMPARE(r.config.limits.outputBytes, 4096);
        QVERIFY(!r.config.restWithoutToken);
        QVERIFY(r.configFile.isEmpty());
    }

    void badValues_data()
    {
        QTest::addColumn<QString>("where"); // file, env or flag
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message"); // %F: the config file, %L: its line

        auto positive = [](const QString &key, const QString &value) {
            return QStringLiteral("%1 must be a positive whole number, not \"%2\"").arg(key, value);
        };
        QTest::addRow("letters for a number in the file name key, value, line and file")
            << "file"
            << "memory_mb"
            << "abc" << positive("memory_mb", "abc") + " (line 2 of %F)";
        QTest::addRow("zero workers from the environment name the variable")
            << "env"
            << "workers"
            << "0" << positive("workers", "0") + " (from CODEROOM_WORKERS)";
        QTest::addRow("a negative flag value names the flag")
            << "flag"
            << "run_time_ms"
            << "-5" << positive("run_time_ms", "-5") + " (from --run-time-ms)";
        QTest::addRow("a fraction is not a whole number")
            << "file"
            << "max_queue"
            << "2.5" << positive("max_queue", "2.5") + " (line 2 of %F)";
        QTest::addRow("a number beyond the ceiling says the ceiling")
            << "file"
            << "memory_mb"
            << "99999999"
            << "memory_mb must be at most 1048576, not \"99999999\" (line 2 of %F)";
        QTest::addRow("warm_pool out of range gives the range")
            << "env"
            << "warm_pool"
            << "65"
            << "warm_pool must be at most 64, not \"65\" (from CODEROOM_WARM_POOL)";
        QTest::addRow("a negative warm_pool gives the range")
            << "file"
            << "warm_pool"
            << "-1"
            << "warm_pool must be a whole number from 0 to 64, not \"-1\" (line 2 of %F)";
        QTest::addRow("a tiny frame limit gives the minimum")
            << "file"
            << "max_frame_bytes"
            << "10"
            << "max_frame_bytes must be a whole number of at least 1024, not \"10\" (line 2 of %F)";
        QTest::addRow("listen without a port")
            << "file"
            << "listen"
            << "localhost"
            << "listen must be HOST:PORT (127.0.0.1:8765, [::1]:8765, 0.0.0.0:8765), not "
               "\"localhost\" (line 2 of %F)";
        QTest::addRow("listen with a port past 65535")
            << "flag"
            << "listen"
            << "127.0.0.1:70000"
            << "listen must be HOST:PORT (127.0.0.1:8765, [::1]:8765, 0.0.0.0:8765), not "
               "\"127.0.0.1:70000\" (from --listen)";
        QTest::addRow("listen with a host name that is not an address")
            << "env"
            << "listen"
            << "example.org:80"
            << "listen must be HOST:PORT (127.0.0.1:8765, [::1]:8765, 0.0.0.0:8765), not "
               "\"example.org:80\" (from CODEROOM_LISTEN)";
        QTest::addRow("an unknown log format")
            << "file"
            << "log_format"
            << "xml"
            << "log_format must be text or json, not \"xml\" (line 2 of %F)";
        QTest::addRow("a boolean that is neither")
            << "env"
            << "rest_without_token"
            << "maybe"
            << "rest_without_token must be true or false, not \"maybe\" "
               "(from CODEROOM_REST_WITHOUT_TOKEN)";
        QTest::addRow("an unterminated quote")
            << "file"
            << "node"
            << "\"abc"
            << "node has an unterminated or malformed quoted value (line 2 of %F)";
    }

    void badValues()
    {
        QFETCH(QString, where);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, message);

        QString text = QStringLiteral("data_dir = %1\n").arg(m_dir.path());
        if (where == QLatin1String("file"))
            text += QStringLiteral("%1 = %2\n").arg(key, value);
        const QString file = writeFile(QStringLiteral("bad.conf"), text);
        QStringList args{QStringLiteral("coderoomd"), QStringLiteral("--config"), file};
        QStringList vars;
        if (where == QLatin1String("flag"))
            args << QStringLiteral("--") + QString(key).replace(u'_', u'-') << value;
        if (where == QLatin1String("env"))
            vars << QStringLiteral("CODEROOM_%1=%2").arg(key.toUpper(), value);

        const ConfigResult r = loadServerConfig(args, env(vars));
        QCOMPARE(r.action, ConfigAction::Invalid);
        QCOMPARE(r.errors, QStringList{QString(message).replace(QStringLiteral("%F"), file)});
        QVERIFY(r.errorText().startsWith(QStringLiteral("coderoomd: ")));
    }

    void fileErrors_data()
    {
        QTest::addColumn<QString>("text");         // %D: a data dir
        QTest::addColumn<QStringList>("messages"); // %F: the file

        QTest::addRow("an unknown key is named, with the key it resembles")
            << "data_dir = %D\nmemroy_mb = 5\n"
            << QStringList{"unknown key \"memroy_mb\" (line 2 of %F); did you mean "
                           "\"memory_mb\"?"};
        QTest::addRow("an unknown key unlike any other is named without a guess")
            << "data_dir = %D\n\n# comment\ncolour = blue\n"
            << QStringList{"unknown key \"colour\" (line 4 of %F)"};
        QTest::addRow("a line without = is shown")
            << "data_dir = %D\nmemory_mb 12\n"
            << QStringList{"expected \"key = value\", not \"memory_mb 12\" (line 2 of %F)"};
        QTest::addRow("a key set twice names both lines")
            << "workers = 2\ndata_dir = %D\nworkers = 3\n"
            << QStringList{"workers is set twice in %F (lines 1 and 3)"};
        QTest::addRow("every error is reported, not just the first")
            << "data_dir = %D\nworkers = x\nfrobnicate = 1\nlog_format = yaml\n"
            << QStringList{"unknown key \"frobnicate\" (line 3 of %F)",
                           "workers must be a positive whole number, not \"x\" (line 2 of %F)",
                           "log_format must be text or json, not \"yaml\" (line 4 of %F)"};
        QTest::addRow("no data_dir anywhere")
            << "memory_mb = 12\n"
            << QStringList{"data_dir is required (data_dir = DIR in the config file, "
                           "CODEROOM_DATA_DIR or --data-dir DIR)"};
        QTest::addRow("a certificate without a key")
            << "data_dir = %D\ntls_certificate = /etc/ssl/x.pem\n"
            << QStringList{"tls_certificate is set but tls_key is not: TLS needs both"};
        QTest::addRow("a key without a certificate")
            << "data_dir = %D\ntls_key = /etc/ssl/x.key\n"
            << QStringList{"tls_key is set but tls_certificate is not: TLS needs both"};
    }

    void fileErrors()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, messages);
        const QString file =
            writeFile(QStringLiteral("errors.conf"), QString(text).replace("%D", m_dir.path()));
        const ConfigResult r =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--config"), file}, {});
        QCOMPARE(r.action, ConfigAction::Invalid);
        for (QString &m : messages)
            m.replace(QStringLiteral("%F"), file);
        QCOMPARE(r.errors, messages);
    }

    void missingConfigFileIsAnError()
    {
        const QString missing = m_dir.filePath(QStringLiteral("absent.conf"));
        const ConfigResult r =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--config"), missing,
                              QStringLiteral("--data-dir"), m_dir.path()},
                             {});
        QCOMPARE(r.action, ConfigAction::Invalid);
        QCOMPARE(r.errors.size(), 1);
        QVERIFY2(r.errors.first().startsWith(
                     QStringLiteral("cannot read the config file %1: ").arg(missing)),
                 qPrintable(r.errors.first()));
    }

    void configFileFromEnvironmentAndFlagWins()
    {
        const QString a =
            writeFile(QStringLiteral("a.conf"), QStringLiteral("data_dir = /a\nnode = from-a\n"));
        const QString b =
            writeFile(QStringLiteral("b.conf"), QStringLiteral("data_dir = /b\nnode = from-b\n"));
        const ConfigResult viaEnv = loadServerConfig({QStringLiteral("coderoomd")},
                                                     env({QStringLiteral("CODEROOM_CONFIG=") + a}));
        QVERIFY2(viaEnv.errors.isEmpty(), qPrintable(viaEnv.errorText()));
        QCOMPARE(viaEnv.config.node, QStringLiteral("from-a"));
        const ConfigResult viaFlag =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--config"), b},
                             env({QStringLiteral("CODEROOM_CONFIG=") + a}));
        QCOMPARE(viaFlag.config.node, QStringLiteral("from-b"));
        QCOMPARE(viaFlag.configFile, b);
    }

    void emptyValuesMeanTheDefault()
    {
        const QString file = writeFile(QStringLiteral("empty.conf"),
                                       QStringLiteral("data_dir = /d\nmemory_mb =\nnode = \n"));
        const ConfigResult r =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--config"), file},
                             env({QStringLiteral("CODEROOM_WORKERS=")}));
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errorText()));
        QCOMPARE(r.config.limits.memoryMb, 256);
        QCOMPARE(r.config.node, QStringLiteral("node-a"));
        QVERIFY(r.config.scheduler.workers >= 1);
    }

    void unknownFlagAndStrayArgument_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("an unknown flag is named")
            << QStringList{"coderoomd", "--data-dir", "/d", "--frobnicate"}
            << "Unknown option 'frobnicate'.";
        QTest::addRow("a flag without its value")
            << QStringList{"coderoomd", "--data-dir"} << "Missing value after '--data-dir'.";
        QTest::addRow("a stray word lists the subcommands")
            << QStringList{"coderoomd", "--data-dir", "/d", "serve"}
            << "unexpected argument \"serve\" (subcommands: user, token)";
    }

    void unknownFlagAndStrayArgument()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const ConfigResult r = loadServerConfig(args, {});
        QCOMPARE(r.action, ConfigAction::Invalid);
        QCOMPARE(r.errors, QStringList{message});
    }

    void adminSubcommandKeepsItsArguments()
    {
        const QString file = writeFile(QStringLiteral("admin.conf"),
                                       QStringLiteral("data_dir = /var/lib/coderoom\n"));
        const ConfigResult r = loadServerConfig(
            {QStringLiteral("coderoomd"), QStringLiteral("user"), QStringLiteral("add"),
             QStringLiteral("bob"), QStringLiteral("--config"), file, QStringLiteral("--role"),
             QStringLiteral("teacher"), QStringLiteral("--verbose"), QStringLiteral("--class=3b")},
            {});
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errorText()));
        QCOMPARE(r.action, ConfigAction::AdminCommand);
        QCOMPARE(r.config.dataDir, QStringLiteral("/var/lib/coderoom"));
        QVERIFY(r.config.verbose);
        QCOMPARE(r.adminArguments,
                 (QStringList{"user", "add", "bob", "--role", "teacher", "--class=3b"}));

        const ConfigResult token =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("token"),
                              QStringLiteral("list"), QStringLiteral("--data-dir=/srv/d")},
                             {});
        QCOMPARE(token.action, ConfigAction::AdminCommand);
        QCOMPARE(token.config.dataDir, QStringLiteral("/srv/d"));
        QCOMPARE(token.adminArguments, (QStringList{"token", "list"}));

        const ConfigResult noData = loadServerConfig(
            {QStringLiteral("coderoomd"), QStringLiteral("user"), QStringLiteral("list")}, {});
        QCOMPARE(noData.action, ConfigAction::Invalid);
        QVERIFY(noData.errors.first().startsWith(QStringLiteral("data_dir is required")));
    }

    void helpAndVersion()
    {
        const ConfigResult help =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--help")}, {});
        QCOMPARE(help.action, ConfigAction::ShowHelp);
        for (const char *flag : {"--tls-certificate", "--check-config", "--config", "--warm-pool",
                                 "--rest-without-token", "--log-format"})
            QVERIFY2(help.text.contains(QLatin1String(flag)), flag);
        const ConfigResult version =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--version")}, {});
        QCOMPARE(version.action, ConfigAction::ShowVersion);
        QVERIFY(version.text.startsWith(QStringLiteral("coderoomd ")));
    }

    void shippedConfigNamesEveryKeyAndParses()
    {
        const ConfigResult r =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--check-config"),
                              QStringLiteral("--config"), QStringLiteral(CODEROOM_DEFAULT_CONF),
                              QStringLiteral("--data-dir"), m_dir.path()},
                             {});
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errorText()));
        QFile file(QStringLiteral(CODEROOM_DEFAULT_CONF));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString shipped = QString::fromUtf8(file.readAll());
        const QStringList effective = r.text.split(u'\n', Qt::SkipEmptyParts).mid(1);
        QVERIFY(effective.size() >= 20);
        for (const QString &line : effective) {
            const QString key = line.section(u' ', 0, 0);
            QVERIFY2(shipped.contains(u'\n' + key + QStringLiteral(" =")) ||
                         shipped.contains(QStringLiteral("# ") + key + QStringLiteral(" =")),
                     qPrintable(key));
        }
        // The documented defaults are the built-in ones.
        QCOMPARE(shown(r, QStringLiteral("memory_mb")), QStringLiteral("256"));
        QVERIFY(r.text.contains(QStringLiteral("line ")));
    }

    // --check-config output is itself a valid config file that gives the same configuration.
    void checkOutputReadsBack()
    {
        const QString file = writeFile(
            QStringLiteral("round.conf"),
            QStringLiteral("data_dir = /srv/x\nnode = \"a #b\"\nmemory_mb = 77\nworkers = 3\n"));
        const ConfigResult first =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--check-config"),
                              QStringLiteral("--config"), file},
                             {});
        QCOMPARE(first.action, ConfigAction::CheckConfig);
        const QString again = writeFile(QStringLiteral("again.conf"), first.text);
        const ConfigResult second =
            loadServerConfig({QStringLiteral("coderoomd"), QStringLiteral("--check-config"),
                              QStringLiteral("--config"), again},
                             {});
        QVERIFY2(second.errors.isEmpty(), qPrintable(second.errorText() + first.text));
        QCOMPARE(second.config.node, QStringLiteral("a #b"));
        QCOMPARE(second.config.limits.memoryMb, 77);
        QCOMPARE(second.config.scheduler.workers, 3);
        QCOMPARE(second.config.dataDir, QStringLiteral("/srv/x"));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
