// The GAN of core/gan (seed 002 Fig. 4G-I): gradients of both losses against finite
// differences (through D, and through G via D), the Fréchet distance on hand-computed cases,
// and determinism of the noise and of crossbar training at any thread count.
#include "core/gan/frechet_distance.hpp"
#include "core/gan/gan.hpp"
#include "core/training/scheme_factory.hpp"
#include "gradient_check.hpp"

#include <QtTest>

#include <tbb/global_control.h>

#include <cmath>

using namespace cbl;
using namespace cbl::gan;

namespace {

constexpr int image = 6;

GanConfig small_gan() {
    GanConfig c;
    c.noise_size = 3;
    c.generator_hidden = {4};
    c.discriminator_hidden = {5};
    c.batch_size = 2;
    return c;
}

Gan<double> double_gan(const GanConfig& c) {
    OptimizerConfig sgd; // plain SGD: one step moves W by -eta dL/dW
    return {c, image, sgd, test::fp_layers<double>(weight_shapes(c, image), 3), 3};
}

Eigen::MatrixXf real_images(int count) {
    Eigen::MatrixXf x(image, count);
    for (int j = 0; j < count; ++j)
        for (int i = 0; i < image; ++i)
            x(i, j) = float(0.5 + 0.45 * std::sin(1.3 * i + 2.1 * j));
    return x;
}

std::vector<Eigen::MatrixXd> weights_of(const Network<double>& net) {
    std::vector<Eigen::MatrixXd> w;
    for (int k = 0; k < net.weight_count(); ++k)
        w.push_back(net.weight_layer(k).weights());
    return w;
}

/// -log D(x) (label 1) or -log(1 - D(x)) (label 0) through D's training path in double.
double d_loss(Network<double>& d, const Eigen::VectorXd& x, int label) {
    Eigen::VectorXd dx;
    StepContext ctx{0, nullptr};
    return d.input_gradient(x, label, dx, ctx).loss;
}

} // namespace

class TestGan : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void discriminator_gradient() {
        // L_D = mean over B real (label 1) and B generated (label 0) images of the binary
        // cross-entropy; one SGD step must move D by -eta dL_D/dW_D and leave G alone.
        const GanConfig c = small_gan();
        Gan<double> g = double_gan(c);
        const Eigen::MatrixXf real = real_images(c.batch_size);
        const Eigen::MatrixXf u = g.noise(0, c.batch_size);
        // D learns from the generated images as fp32 samples, as the dataset's images.
        const Eigen::MatrixXd fake = g.generate(u, 0).cast<float>().cast<double>();
        const auto generator_before = weights_of(g.generator());
        const auto before = weights_of(g.discriminator());
        const double eta = 1e-3;
        g.discriminator_step(real, u, eta);
        const auto generator_after = weights_of(g.generator());
        for (std::size_t k = 0; k < generator_before.size(); ++k)
            QVERIFY(generator_after[k] == generator_before[k]);
        test::compare_with_central_differences(
            g.discriminator(), before, eta,
            [&] {
                double sum = 0;
                for (int j = 0; j < c.batch_size; ++j)
                    sum += d_loss(g.discriminator(), real.col(j).cast<double>(), 1) +
                           d_loss(g.discriminator(), fake.col(j), 0);
                return sum / (2 * c.batch_size);
            },
            true);
    }

    void generator_gradient_through_discriminator() {
        // L_G = mean -log D(G(u)) (non-saturating): the gradient reaches G through D's
        // input_gradient; the step moves G by -eta dL_G/dW_G and D not at all.
        const GanConfig c = small_gan();
        Gan<double> g = double_gan(c);
        // Train D once so that it is not symmetric around its start.
        g.discriminator_step(real_images(c.batch_size), g.noise(5, c.batch_size), 0.5);
        const Eigen::MatrixXf u = g.noise(1, c.batch_size);
        const auto d_before = weights_of(g.discriminator());
        const auto before = weights_of(g.generator());
        const double eta = 1e-3;
        g.generator_step(u, eta);
        const auto d_after = weights_of(g.discriminator());
        for (std::size_t k = 0; k < d_before.size(); ++k)
            QVERIFY(d_after[k] == d_before[k]);
        QCOMPARE(g.discriminator().pending_in_batch(), 0);
        test::compare_with_central_differences(
            g.generator(), before, eta,
            [&] {
                const Eigen::MatrixXd x = g.generate(u, 0);
                double sum = 0;
                for (int j = 0; j < c.batch_size; ++j)
                    sum += d_loss(g.discriminator(), x.col(j), 1);
                return sum / c.batch_size;
            },
            true);
    }

    void input_gradient_matches_differences() {
        Gan<double> g = double_gan(small_gan());
        Network<double>& d = g.discriminator();
        Eigen::VectorXd x = real_images(1).col(0).cast<double>(), dx;
        StepContext ctx{0, nullptr};
        d.input_gradient(x, 0, dx, ctx);
        QCOMPARE(dx.size(), Eigen::Index(image));
        QVERIFY(dx.cwiseAbs().maxCoeff() > 0);
        for (int i = 0; i < image; ++i) {
            const double h = 1e-6, keep = x[i];
            x[i] = keep + h;
            const double up = d_loss(d, x, 0);
            x[i] = keep - h;
            const double down = d_loss(d, x, 0);
            x[i] = keep;
            QVERIFY(std::abs((up - down) / (2 * h) - dx[i]) < 1e-7 + 1e-5 * std::abs(dx[i]));
        }
    }

    void frechet_distance_of_identical_sets_is_zero() {
        Eigen::MatrixXd f(3, 50);
        for (int j = 0; j < f.cols(); ++j)
            for (int i = 0; i < f.rows(); ++i)
                f(i, j) = std::sin(0.7 * j + 1.9 * i) + 0.1 * i * j / 50.0;
        const Gaussian g = fit_gaussian(f);
        QVERIFY(std::abs(frechet_distance(g, g)) < 1e-9);
    }

    void frechet_distance_by_hand() {
        // 1-D: (mu1 - mu2)^2 + (sigma1 - sigma2)^2 = (1 - 3)^2 + (2 - 3)^2 = 5.
        Gaussian a{Eigen::VectorXd::Constant(1, 1.0), Eigen::MatrixXd::Constant(1, 1, 4.0)};
        Gaussian b{Eigen::VectorXd::Constant(1, 3.0), Eigen::MatrixXd::Constant(1, 1, 9.0)};
        QVERIFY(std::abs(frechet_distance(a, b) - 5) < 1e-12);
        // 2-D: S1 = I, S2 = [[2, 1], [1, 2]] (eigenvalues 3 and 1), means 0 and (1, 2):
        // 1 + 4 + Tr(I + S2) - 2 (sqrt 3 + 1) = 5 + 6 - 2 sqrt 3 - 2 = 9 - 2 sqrt 3.
        Gaussian c{Eigen::Vector2d(0, 0), Eigen::Matrix2d::Identity()};
        Eigen::Matrix2d s2;
        s2 << 2, 1, 1, 2;
        Gaussian d{Eigen::Vector2d(1, 2), s2};
        QVERIFY(std::abs(frechet_distance(c, d) - (9 - 2 * std::sqrt(3.0))) < 1e-12);
        QVERIFY(std::abs(frechet_distance(d, c) - (9 - 2 * std::sqrt(3.0))) < 1e-12);
        // fit_gaussian: the samples 0 and 2 have mean 1 and unbiased variance 2.
        const Gaussian e = fit_gaussian(Eigen::RowVector2d(0, 2));
        QCOMPARE(e.mean[0], 1.0);
        QCOMPARE(e.covariance(0, 0), 2.0);
    }

    void noise_is_keyed_and_distributed() {
        GanConfig c = small_gan();
        c.noise_size = 100;
        Gan<double> g = double_gan(c);
        const Eigen::MatrixXf u = g.noise(7, 50);
        QVERIFY(u == g.noise(7, 50));
        QVERIFY(u != g.noise(8, 50));
        QVERIFY(u.minCoeff() >= -1 && u.maxCoeff() <= 1);
        QVERIFY(std::abs(u.mean()) < 0.05);
        c.noise = "normal";
        Gan<double> n = double_gan(c);
        const Eigen::MatrixXf z = n.noise(7, 50);
        const double var = (z.array() - z.mean()).square().mean();
        QVERIFY(std::abs(z.mean()) < 0.05);
        QVERIFY(std::abs(var - 1) < 0.1);
    }

    void crossbar_training_is_thread_independent() {
        // MCA on PCM: read noise, pulses and noise keyed by counters, not by threads.
        GanConfig c = small_gan();
        c.generator_hidden = {16};
        c.discriminator_hidden = {16};
        c.batch_size = 8;
        SchemeConfig mca;
        mca.type = "mca";
        TileConfig tile;
        OptimizerConfig momentum;
        momentum.type = "momentum";
        momentum.learning_rate = 0.1;
        auto run = [&](int threads) {
            tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
            Gan<float> g(c, image, momentum,
                         make_layers<float>(weight_shapes(c, image), mca, tile, 4, 0.05), 4);
            for (int t = 0; t < 5; ++t)
                g.train_step(real_images(c.batch_size), 0.1);
            return g.generate(g.noise(99, 300), 1);
        };
        const Eigen::MatrixXf one = run(1), two = run(2);
        QVERIFY(one == two);
        QVERIFY(one.allFinite());
    }
};

QTEST_APPLESS_MAIN(TestGan)
#include "tst_gan.moc"
