// The 250 x 785 forward MVM with the full PCM read model (drift + read noise) against the plain
// FP32 Eigen MVM, measured in one run (issue 3: at most 2x), and the state size per synapse.
#include "core/common/rng.hpp"
#include "core/crossbar/mvm_benchmark.hpp"

#include <QtTest>

using namespace cbl;

class TstMvmBench : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void pcmReadCostsAtMostTwiceFp32() {
        // Image-like inputs: ~80 % zero pixels as in MNIST, the bias input last.
        std::vector<Eigen::VectorXf> images(256, Eigen::VectorXf::Zero(785));
        const CounterRng rng(5, RngStream::dataset);
        for (std::size_t v = 0; v < images.size(); ++v) {
            for (int i = 0; i < 784; ++i)
                if (rng.uniform(v, std::uint32_t(i)) < 0.2)
                    images[v][i] = float(rng.uniform(v, std::uint32_t(i), 1));
            images[v][784] = 1.f;
        }
        MvmBenchmarkOptions o;
        o.min_seconds = 1.0;
        const MvmBenchmarkResult r = run_mvm_benchmark(images, o);
        qInfo().noquote() << QString::fromStdString(to_json(r).dump());
        qInfo("mvm_ratio_pcm_to_fp32: images %.3f, dense %.3f; bytes/synapse %zu", r.ratio_inputs,
              r.ratio_dense, r.bytes_per_synapse);
        QVERIFY2(r.ratio_inputs <= 2.0, qPrintable(QString::number(r.ratio_inputs)));
        QVERIFY2(r.ratio_dense <= 2.0, qPrintable(QString::number(r.ratio_dense)));
        QVERIFY(r.bytes_per_synapse <= 28);
    }
};

QTEST_GUILESS_MAIN(TstMvmBench)
#include "tst_mvm_bench.moc"
