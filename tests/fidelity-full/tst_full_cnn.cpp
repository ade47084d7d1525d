// Issue 14 on Fashion-MNIST: seed 002 section 2.4's claim that MCA trains CNNs to the accuracy of
// FP32, on fp32-cnn's network (conv 5x5x32, pool, conv 5x5x64, pool, dense 128, dense 10). Best
// test accuracy over the presets' 15 epochs: fp32-cnn reaches 91.0 %, mca-pcm-cnn is within 1.0
// point of it at seeds 1-3, and in every epoch its PCM pairs receive at least 100x fewer device
// updates than a full-precision update would change weights. Six runs, two to three hours on a
// 2-core machine (mca-pcm-cnn trains at about a third of FP32's speed): fidelity-full.
#include "../fidelity/cli_runner.hpp"

#include <algorithm>

namespace {

constexpr int two_hours_ms = 7'200'000;

} // namespace

class TestFullCnn : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() {
        if (!QDir("/usr/share/datasets/fashion-mnist").exists())
            QSKIP("dataset-fashion-mnist is not installed");
    }
    void mcaCnnIsWithinOnePointOfFp32() {
        for (int seed = 1; seed <= 3; ++seed) {
            const auto [fp32, mca] = train_pair("fp32-cnn", "mca-pcm-cnn", seed, two_hours_ms);
            QVERIFY(!fp32.is_null() && !mca.is_null());
            const double a = best_test_accuracy(fp32), b = best_test_accuracy(mca);
            qInfo("seed %d: fp32-cnn %.4f, mca-pcm-cnn %.4f, gap %.4f", seed, a, b, a - b);
            QVERIFY2(a >= 0.910, qPrintable(QString("seed %1: fp32-cnn %2").arg(seed).arg(a)));
            QVERIFY2(a - b <= 0.010, qPrintable(QString("seed %1: gap %2").arg(seed).arg(a - b)));
            require_fewer_updates(mca, 100);
        }
    }
};

QTEST_GUILESS_MAIN(TestFullCnn)
#include "tst_full_cnn.moc"
