// HOST:PORT, parsed once for --listen, --admin, --connect and the
// monitor's attach address: what each set of rules accepts, and the
// message for every kind of mistake.
#include "hostport.h"

#include <QTest>

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::HostPortRules)

namespace {
const HostPortRules Listen = HostPortRules::listen();
const HostPortRules Connect = HostPortRules::connect();
} // namespace

class tst_HostPort : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void roundTrip_data();
    void roundTrip();
    void address();
    void errorIsOptional();
};

void tst_HostPort::accepted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<HostPortRules>("rules");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");

    QTest::newRow("IPv4") << "127.0.0.1:7600" << Connect << "127.0.0.1" << 7600;
    QTest::newRow("IPv4, listen") << "127.0.0.1:7600" << Listen << "127.0.0.1" << 7600;
    QTest::newRow("every IPv4 address") << "0.0.0.0:1" << Listen << "0.0.0.0" << 1;
    QTest::newRow("broadcast") << "255.255.255.255:9" << Connect << "255.255.255.255" << 9;
    QTest::newRow("port 1") << "10.0.0.1:1" << Connect << "10.0.0.1" << 1;
    QTest::newRow("port 65535") << "10.0.0.1:65535" << Connect << "10.0.0.1" << 65535;
    QTest::newRow("port 0, listen") << "127.0.0.1:0" << Listen << "127.0.0.1" << 0;
    QTest::newRow("leading zeros in port") << "127.0.0.1:00080" << Connect << "127.0.0.1" << 80;
    QTest::newRow("IPv6 loopback") << "[::1]:7600" << Connect << "::1" << 7600;
    QTest::newRow("IPv6 loopback, listen") << "[::1]:7600" << Listen << "::1" << 7600;
    QTest::newRow("IPv6 any, listen") << "[::]:0" << Listen << "::" << 0;
    QTest::newRow("IPv6 full") << "[2001:db8:0:0:0:0:0:1]:443" << Connect << "2001:db8:0:0:0:0:0:1" << 443;
    QTest::newRow("IPv6 short") << "[2001:db8::1]:443" << Connect << "2001:db8::1" << 443;
    QTest::newRow("IPv4-mapped IPv6") << "[::ffff:127.0.0.1]:80" << Connect << "::ffff:127.0.0.1" << 80;
    QTest::newRow("localhost") << "localhost:80" << Connect << "localhost" << 80;
    QTest::newRow("localhost, listen") << "localhost:80" << Listen << "localhost" << 80;
    QTest::newRow("LOCALHOST, listen") << "LOCALHOST:80" << Listen << "LOCALHOST" << 80;
    QTest::newRow("host name") << "gateway-eu.example:9600" << Connect << "gateway-eu.example" << 9600;
    QTest::newRow("single label") << "vigil:7600" << Connect << "vigil" << 7600;
    QTest::newRow("underscore") << "vigil_db:7600" << Connect << "vigil_db" << 7600;
    QTest::newRow("digits in labels") << "node1.rack42.example:7600" << Connect << "node1.rack42.example" << 7600;
    QTest::newRow(":PORT, listen") << ":9000" << Listen << "" << 9000;
    QTest::newRow("*:PORT, listen") << "*:9000" << Listen << "" << 9000;
    QTest::newRow("surrounding spaces") << "  127.0.0.1:5 " << Connect << "127.0.0.1" << 5;
    QTest::newRow("tab and newline") << "\t[::1]:5\n" << Connect << "::1" << 5;
}

void tst_HostPort::accepted()
{
    QFETCH(QString, text);
    QFETCH(HostPortRules, rules);
    QFETCH(QString, host);
    QFETCH(int, port);

    QString error;
    const auto parsed = HostPort::parse(text, rules, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(parsed->host, host);
    QCOMPARE(int(parsed->port), port);
}

void tst_HostPort::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<HostPortRules>("rules");
    QTest::addColumn<QString>("error");

    const QString hostPort = QStringLiteral("missing port (expected HOST:PORT)");
    const QString after = QStringLiteral("missing port after ':' (expected HOST:PORT)");
    const QString brackets = QStringLiteral("write IPv6 addresses in brackets, e.g. [::1]:7600");
    auto badPort = [](const char *port, int lowest) {
        return QStringLiteral("bad port '%1' (expected a number from %2 to 65535)").arg(QLatin1String(port)).arg(lowest);
    };

    // Nothing, or no port.
    QTest::newRow("empty") << "" << Connect << "empty address (expected HOST:PORT)";
    QTest::newRow("spaces only") << "   " << Listen << "empty address (expected HOST:PORT)";
    QTest::newRow("no port") << "127.0.0.1" << Connect << hostPort;
    QTest::newRow("no port, name") << "localhost" << Connect << hostPort;
    QTest::newRow("no port, listen") << "127.0.0.1" << Listen << hostPort;
    QTest::newRow("empty port") << "127.0.0.1:" << Connect << after;
    QTest::newRow("only a colon") << ":" << Listen << after;
    QTest::newRow("IPv6 without port") << "[::1]" << Connect << "missing port (expected [IPv6]:PORT)";
    QTest::newRow("IPv6 empty port") << "[::1]:" << Connect << after;

    // Bad ports.
    QTest::newRow("port 0") << "127.0.0.1:0" << Connect << badPort("0", 1);
    QTest::newRow("port 0, IPv6") << "[::1]:0" << Connect << badPort("0", 1);
    QTest::newRow("port too big") << "127.0.0.1:65536" << Connect << badPort("65536", 1);
    QTest::newRow("port too big, listen") << "127.0.0.1:65536" << Listen << badPort("65536", 0);
    QTest::newRow("port far too big") << "127.0.0.1:99999999999" << Connect << badPort("99999999999", 1);
    QTest::newRow("six digits") << "127.0.0.1:000080" << Connect << badPort("000080", 1);
    QTest::newRow("negative port") << "127.0.0.1:-1" << Listen << badPort("-1", 0);
    QTest::newRow("plus sign") << "127.0.0.1:+80" << Connect << badPort("+80", 1);
    QTest::newRow("named port") << "127.0.0.1:http" << Connect << badPort("http", 1);
    QTest::newRow("hex port") << "127.0.0.1:0x50" << Connect << badPort("0x50", 1);
    QTest::newRow("space in port") << "127.0.0.1: 80" << Connect << badPort(" 80", 1);
    QTest::newRow("path after port") << "127.0.0.1:80/metrics" << Connect << badPort("80/metrics", 1);

    // Empty or wildcard hosts where a host is needed.
    QTest::newRow("empty host") << ":7600" << Connect << "empty host (expected HOST:PORT)";
    QTest::newRow("star host") << "*:7600" << Connect << "'*' (every address) only fits a listen address";

    // IPv6 spelling.
    QTest::newRow("IPv6 without brackets") << "::1:7600" << Connect << brackets;
    QTest::newRow("IPv6 without brackets, listen") << "::1:7600" << Listen << brackets;
    QTest::newRow("long IPv6 without brackets") << "2001:db8::1:443" << Connect << brackets;
    QTest::newRow("bare IPv6") << "::1" << Connect << brackets;
    QTest::newRow("unclosed bracket") << "[::1:7600" << Connect << "missing ']' after the IPv6 address";
    QTest::newRow("no colon after bracket") << "[::1]7600" << Connect << "expected ':' after ']', got '7600'";
    QTest::newRow("empty brackets") << "[]:7600" << Connect << "empty brackets (expected an IPv6 address such as [::1])";
    QTest::newRow("IPv4 in brackets") << "[127.0.0.1]:80" << Listen << "'127.0.0.1' in brackets is not an IPv6 address";
    QTest::newRow("name in brackets") << "[localhost]:80" << Connect << "'localhost' in brackets is not an IPv6 address";
    QTest::newRow("bad IPv6") << "[::g]:80" << Connect << "'::g' in brackets is not an IPv6 address";
    QTest::newRow("closing bracket only") << "::1]:80" << Connect << brackets;

    // IPv4 that is not.
    QTest::newRow("octet too big") << "127.0.0.256:80" << Connect << "'127.0.0.256' is not an IPv4 address";
    QTest::newRow("octet too big, listen") << "127.0.0.256:80" << Listen << "'127.0.0.256' is not an IPv4 address";
    QTest::newRow("three parts") << "127.0.1:80" << Connect << "'127.0.1' is not an IPv4 address";
    QTest::newRow("shorthand") << "127.1:80" << Connect << "'127.1' is not an IPv4 address";
    QTest::newRow("five parts") << "1.2.3.4.5:80" << Connect << "'1.2.3.4.5' is not an IPv4 address";
    QTest::newRow("empty octet") << "1..3.4:80" << Connect << "'1..3.4' is not an IPv4 address";
    QTest::newRow("long octet") << "1.2.3.0004:80" << Connect << "'1.2.3.0004' is not an IPv4 address";
    QTest::newRow("number only") << "2130706433:80" << Connect << "'2130706433' is not an IPv4 address";

    // Names that are not.
    QTest::newRow("space in name") << "exa mple:80" << Connect << "'exa mple' is not a valid host name";
    QTest::newRow("empty label") << "a..example:80" << Connect << "'a..example' is not a valid host name";
    QTest::newRow("leading dot") << ".example:80" << Connect << "'.example' is not a valid host name";
    QTest::newRow("trailing dot") << "example.:80" << Connect << "'example.' is not a valid host name";
    QTest::newRow("slash") << "example/x:80" << Connect << "'example/x' is not a valid host name";
    QTest::newRow("at sign") << "user@example:80" << Connect << "'user@example' is not a valid host name";
    QTest::newRow("label too long") << QString(QString(64, QLatin1Char('a')) + QStringLiteral(".example:80")) << Connect
                                    << QStringLiteral("'%1.example' is not a valid host name").arg(QString(64, QLatin1Char('a')));
    const QString longName = QStringList(4, QString(63, QLatin1Char('a'))).join(QLatin1Char('.'));
    QTest::newRow("name too long") << QString(longName + QStringLiteral(":80")) << Connect
                                   << QStringLiteral("'%1' is not a valid host name").arg(longName);
    QTest::newRow("URL") << "http://127.0.0.1:9600" << Connect << "'http://127.0.0.1:9600' is a URL (expected HOST:PORT, no scheme)";
    QTest::newRow("URL, listen") << "tcp://[::1]:7600" << Listen << "'tcp://[::1]:7600' is a URL (expected HOST:PORT, no scheme)";

    // A listener binds addresses, not names.
    QTest::newRow("name, listen") << "example.org:80" << Listen
                                  << "'example.org' is not an IP address (only addresses and localhost can be bound)";
    QTest::newRow("single label, listen") << "vigil:80" << Listen
                                          << "'vigil' is not an IP address (only addresses and localhost can be bound)";
}

void tst_HostPort::refused()
{
    QFETCH(QString, text);
    QFETCH(HostPortRules, rules);
    QFETCH(QString, error);

    QString why = QStringLiteral("unchanged");
    QVERIFY(!HostPort::parse(text, rules, &why).has_value());
    QCOMPARE(why, error);
}

void tst_HostPort::roundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("IPv4") << "127.0.0.1:7600" << "127.0.0.1:7600";
    QTest::newRow("IPv6") << "[::1]:7600" << "[::1]:7600";
    QTest::newRow("name") << "example.org:80" << "example.org:80";
    QTest::newRow("any") << "*:9000" << ":9000";
    QTest::newRow("spaces") << " localhost:1 " << "localhost:1";
}

void tst_HostPort::roundTrip()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);

    HostPortRules rules = HostPortRules::listen();
    rules.hostNames = true;
    const auto parsed = HostPort::parse(text, rules);
    QVERIFY(parsed.has_value());
    QCOMPARE(parsed->toString(), canonical);
    const auto again = HostPort::parse(parsed->toString(), rules);
    QVERIFY(again.has_value());
    QCOMPARE(again->host, parsed->host);
    QCOMPARE(again->port, parsed->port);
}

void tst_HostPort::address()
{
    QCOMPARE(HostPort::parse(QStringLiteral("127.0.0.1:1"), Connect)->address(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(HostPort::parse(QStringLiteral("[::1]:1"), Connect)->address(), QHostAddress(QHostAddress::LocalHostIPv6));
    QVERIFY(HostPort::parse(QStringLiteral("localhost:1"), Connect)->address().isNull());
    QVERIFY(HostPort::parse(QStringLiteral(":1"), Listen)->address().isNull());
}

void tst_HostPort::errorIsOptional()
{
    QVERIFY(!HostPort::parse(QStringLiteral("nope"), Connect).has_value());
    QVERIFY(HostPort::parse(QStringLiteral("127.0.0.1:1"), Connect).has_value());
}

QTEST_APPLESS_MAIN(tst_HostPort)
#include "tst_hostport.moc"
