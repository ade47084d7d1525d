// Issue 17: the bit-serial accelerator simulation of the trained MLP on the 10,000 test images
// runs within 20x of the FP32 forward pass over the same images, both timed in one CLI run;
// prints the line for the README (images/s of both and the ratio).
#include <QProcess>
#include <QtTest>

#include <nlohmann/json.hpp>

class TstAcceleratorBench : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void bitSerialMlpWithinTwentyTimesFp32Forward() {
        QProcess cli;
        // fashion-mnist: 60k training / 10k test images; one epoch trains the 785-250-10 MLP.
        cli.start(CROSSBARLAB_CLI, {"accelerator", "--preset", "fp32", "--epochs", "1",
                                    "--baseline-only", "--json"});
        QVERIFY(cli.waitForFinished(1500 * 1000));
        QCOMPARE(cli.exitCode(), 0);
        const auto j = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        const double images = j["network"]["test_images"];
        const double ref = j["speed"]["reference_forward_seconds"];
        const double acc = j["speed"]["accelerator_seconds"];
        qInfo("accelerator bench: %.0f test images, FP32 forward %.0f images/s, bit-serial "
              "baseline %.0f images/s, ratio %.2f",
              images, images / ref, images / acc, acc / ref);
        QVERIFY(images >= 10000);
        QVERIFY2(acc / ref <= 20, qPrintable(QString::number(acc / ref)));
    }
};

QTEST_GUILESS_MAIN(TstAcceleratorBench)
#include "tst_accelerator_bench.moc"
