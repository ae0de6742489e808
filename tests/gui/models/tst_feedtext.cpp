// FeedText: every name in the feed's tables has display text, and the
// event kinds read as words, not as the API's machine names.
#include "feedtext.h"

#include <QSet>
#include <QTest>

using namespace Vigil;

class tst_FeedText : public QObject
{
    Q_OBJECT

private slots:
    void everyEventKindHasText()
    {
        QSet<QString> texts;
        for (const EventKindInfo &info : EventKinds) {
            const QString text = FeedText::eventKind(info.kind);
            QVERIFY2(!text.isEmpty() && !text.contains(QLatin1Char('_')), info.name);
            QVERIFY2(!texts.contains(text), info.name);
            texts.insert(text);
        }
        QCOMPARE(FeedText::eventKind(EventKind::MessageIn), QStringLiteral("message in"));
    }

    void everyCloseReasonHasText()
    {
        QSet<QString> texts;
        for (const CloseReasonInfo &info : CloseReasons) {
            const QString text = FeedText::closeReason(info.reason);
            QVERIFY2(!text.isEmpty(), info.name);
            QVERIFY2(!texts.contains(text), info.name);
            texts.insert(text);
        }
    }

    void watchdogs()
    {
        for (const TimeoutKindInfo &info : TimeoutKinds)
            QVERIFY2(!FeedText::timeoutKind(info.kind).isEmpty(), info.name);
        QCOMPARE(FeedText::watchdogFired(TimeoutKind::Idle), QStringLiteral("idle watchdog fired"));
    }
};

QTEST_GUILESS_MAIN(tst_FeedText)
#include "tst_feedtext.moc"
