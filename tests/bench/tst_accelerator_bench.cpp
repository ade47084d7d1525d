// Issue 17: the bit-serial accelerator simulation of the trained MLP on the 10,000 test images
// runs within 20x of the FP32 forward pass over the same images, both timed in one CLI run: the
// baseline and every option row (the lossy conversions of encoding's 7 bits and the A/D cutoff
// included); prints the lines for the README (images/s of each and the ratio).
#include <QProcess>
#include <QtTest>

#include <nlohmann/json.hpp>

class TstAcceleratorBench : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void bitSerialMlpWithinTwentyTimesFp32Forward() {
        QProcess cli;
        // fashion-mnist: 60k training / 10k test images; one epoch trains the 785-250-10 MLP.
        cli.start(CROSSBARLAB_CLI, {"accelerator", "--preset", "fp32", "--epochs", "1", "--json"});
        QVERIFY(cli.waitForFinished(1500 * 1000));
        QCOMPARE(cli.exitCode(), 0);
        const auto j = nlohmann::json::parse(cli.readAllStandardOutput().toStdString());
        const double images = j["network"]["test_images"];
        const double ref = j["speed"]["reference_forward_seconds"];
        QVERIFY(images >= 10000);
        qInfo("accelerator bench: %.0f test images, FP32 forward %.0f images/s", images,
              images / ref);
        std::vector<nlohmann::json> rows = {j["baseline"]};
        for (const auto& r : j["options"])
            rows.push_back(r);
        rows.push_back(j["combined"]);
        QString slow; // every row printed first, then the verdict
        for (const auto& r : rows) {
            const std::string name = r["name"];
            const double acc = r["simulator_seconds"];
            qInfo("  %-20s %8.0f images/s, ratio %.2f", name.c_str(), images / acc, acc / ref);
            if (acc / ref > 20)
                slow += QString::fromStdString(name) + " " + QString::number(acc / ref) + "x ";
        }
        QVERIFY2(slow.isEmpty(), qPrintable(slow));
    }
};

QTEST_GUILESS_MAIN(TstAcceleratorBench)
#include "tst_accelerator_bench.moc"
