// Device models: the PCM statistics over many devices match the model equations, drift and the
// other models follow their formulas, bad parameters are rejected by name.
#include "core/common/param_error.hpp"
#include "core/crossbar/tile_config.hpp"
#include "core/device/characterisation.hpp"
#include "core/device/device_params.hpp"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace cbl;

class TstDeviceModels : public QObject {
    Q_OBJECT

    static void expect_rejected(const std::function<void()>& f, const QString& field) {
        try {
            f();
        } catch (const InputError& e) {
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(msg.contains(field), qPrintable("message lacks the field: " + msg));
            return;
        }
        QFAIL(qPrintable("no InputError for " + field));
    }

  private Q_SLOTS:
    // Per-pulse mean and std of G over 20,000 devices against the density evolution of the same
    // equations. Tolerances: 5 standard errors of the sample statistic plus the grid resolution.
    // With a device-to-device spread of sigma (sigma_d2d) both sides integrate over it, and the
    // spread of G grows.
    void pcmPulseStatisticsMatchModel() {
        std::vector<double> last_std, last_model_std; // after the last pulse
        for (const auto& [noise, sigma_d2d] :
             {std::pair{false, 0.0}, {true, 0.0}, {false, 0.4}, {true, 0.4}}) {
            PcmParams p;
            p.sigma_d2d = sigma_d2d;
            CharacterisationOptions o;
            o.devices = 20000;
            o.read_noise = noise;
            o.traces = 0;
            const auto r = characterise_device({p}, o);
            QCOMPARE(int(r.mean_uS.size()), o.pulses);
            const double n = o.devices;
            const double grid = (p.g_max_uS - p.g_min_uS) / 800;
            for (int k = 0; k < o.pulses; ++k) {
                const double sd = r.model_std_uS[k];
                const double mean_tol = 5 * sd / std::sqrt(n) + grid;
                // Std of a sample std is ~ sd sqrt((kurtosis - 1) / 4n); kurtosis <= 5 here.
                const double std_tol = 5 * sd * std::sqrt(4.0 / (4 * n)) + grid;
                QVERIFY2(std::abs(r.mean_uS[k] - r.model_mean_uS[k]) < mean_tol,
                         qPrintable(QString("pulse %1 mean %2 model %3")
                                        .arg(k + 1)
                                        .arg(r.mean_uS[k])
                                        .arg(r.model_mean_uS[k])));
                QVERIFY2(
                    std::abs(r.std_uS[k] - sd) < std_tol,
                    qPrintable(
                        QString("pulse %1 std %2 model %3").arg(k + 1).arg(r.std_uS[k]).arg(sd)));
            }
            QVERIFY(r.max_mean_rel_error < 0.1 && r.max_std_rel_error < 0.2);
            last_std.push_back(r.std_uS.back());
            last_model_std.push_back(r.model_std_uS.back());
        }
        // sigma scaled by 1 + 0.4 z' has an rms of sqrt(1.16) = 1.077; the mean's reversion
        // towards saturation and the clipping leave about 4 % of it after 20 pulses.
        for (int i : {0, 1}) {
            QVERIFY(last_model_std[i + 2] > 1.02 * last_model_std[i]);
            QVERIFY(last_std[i + 2] > 1.02 * last_std[i]);
        }
    }

    // The first SET from ~0.06 uS follows mu = 0.880 + 1.40 p_1 + (-0.084) G directly (ref. README
    // 2).
    void pcmFirstPulseFromEquations() {
        PcmParams p;
        p.mu_d2d = 0;
        CharacterisationOptions o;
        o.init_std_uS = 0;
        o.pulses = 1;
        o.histogram_after = 1;
        o.read_noise = false;
        const auto e = pcm_expectation(p, o, {});
        // G1 = max(0.1, X), X ~ N(mu, sigma): E = c + E[(X - c)+] (the upper clip is 7 sigma away).
        // The 0.06 uS start lies below the model's window and is clipped to g_min first.
        const double g0 = std::max(o.init_uS, p.g_min_uS), c = p.g_min_uS;
        // The first SET is pulse n = 1 since RESET: p_1 = exp(-1 / 2.6).
        const double p1 = std::exp(-1 / 2.6);
        const double mu = g0 + (-0.084 * g0 + 0.880 + 1.40 * p1),
                     sigma = 0.091 * g0 + 0.260 + 2.15 * p1;
        const double a = (mu - c) / sigma;
        const double phi = std::exp(-a * a / 2) / std::sqrt(2 * M_PI);
        const double cdf = 0.5 * std::erfc(-a / std::sqrt(2.0));
        const double expected = c + (mu - c) * cdf + sigma * phi;
        const double grid = (p.g_max_uS - p.g_min_uS) / 800;
        QVERIFY2(std::abs(e.mean_uS[0] - expected) < grid,
                 qPrintable(QString("%1 vs %2").arg(e.mean_uS[0]).arg(expected)));
        QCOMPARE(pcm_set_mean_uS(p, 10.0, pcm_history(p, 1000)),
                 -0.084 * 10 + 0.880 + 1.40 * std::exp(-1000 / 2.6));
        QCOMPARE(pcm_set_std_uS(p, 2.0, pcm_history(p, 1)),
                 0.091 * 2 + 0.260 + 2.15 * std::exp(-1 / 2.6));
    }

    void pcmDriftFactor() {
        const double t0 = 38.6, nu = 0.05;
        QCOMPARE(pcm_drift_factor(10.0, t0, nu), 1.0);
        QCOMPARE(pcm_drift_factor(t0, t0, nu), 1.0);
        QVERIFY(std::abs(pcm_drift_factor(t0 * 1000, t0, nu) - std::pow(1000.0, -nu)) < 1e-12);
        // One decade costs a factor 10^-0.05 = 0.891.
        QVERIFY(std::abs(pcm_drift_factor(386.0, t0, nu) - 0.8912509) < 1e-6);
    }

    void pcmResetAndClip() {
        PcmParams p;
        QCOMPARE(pcm_reset_uS(p, 0.0), 0.1);
        QCOMPARE(pcm_reset_uS(p, -50.0), p.g_min_uS);
        QCOMPARE(pcm_set_uS(p, 19.9, 1, 50.0, 1.0), p.g_max_uS);
        QVERIFY(std::abs(pcm_pulses_to_reach(10.0) - 20.1) < 0.01);
        // The published curve inverted: about 5.3 pulses to 6 uS, 20 to 10 uS (ref. README 2).
        QVERIFY(std::abs(pcm_published_mean_uS(pcm_pulses_to_reach(6.0), p.g_max_uS) - 6.0) < 1e-9);
        QVERIFY(std::abs(pcm_published_mean_uS(20.0, p.g_max_uS) - 9.98) < 0.01);
    }

    void rramCurveIsMonotoneAndBounded() {
        RramParams p;
        const RramCurve c = rram_device_curve(p, 0, 0);
        QVERIFY(std::abs(rram_ltp_g_uS(c, 0) - p.g_min_uS) < 1e-12);
        QVERIFY(std::abs(rram_ltp_g_uS(c, p.levels) - p.g_max_uS) < 1e-9);
        QVERIFY(std::abs(rram_ltd_g_uS(c, p.levels) - p.g_min_uS) < 1e-9);
        QVERIFY(std::abs(rram_ltp_pulses(c, rram_ltp_g_uS(c, 37.0)) - 37.0) < 1e-6);
        p.c2c = 0;
        const RramBranch up = rram_branch(p, 0, 0, true), down = rram_branch(p, 0, 0, false);
        double g = p.g_min_uS, prev = g;
        for (int i = 0; i < p.levels; ++i) {
            g = rram_pulse_uS(p, up, g, 0.0);
            QVERIFY(g > prev);
            // One pulse is one step along the published curve: G(P + 1).
            QVERIFY(std::abs(g - rram_ltp_g_uS(c, std::min(i + 1.0, double(p.levels)))) < 1e-9);
            prev = g;
        }
        QVERIFY(std::abs(g - p.g_max_uS) < 1e-6);
        // Nonlinear: the first LTP step is larger than the last.
        QVERIFY(rram_ltp_g_uS(c, 1) - rram_ltp_g_uS(c, 0) >
                rram_ltp_g_uS(c, p.levels) - rram_ltp_g_uS(c, p.levels - 1));
        for (int i = 0; i < p.levels; ++i) {
            g = rram_pulse_uS(p, down, g, 0.0);
            QVERIFY(std::abs(g - rram_ltd_g_uS(c, std::min(i + 1.0, double(p.levels)))) < 1e-9);
        }
        QVERIFY(std::abs(g - p.g_min_uS) < 1e-6);
    }

    void idealAndSoftBounds() {
        IdealParams ip;
        QCOMPARE(ideal_pulse_uS(ip, 1.0, true), 1.0 + ip.dg_uS);
        QCOMPARE(ideal_pulse_uS(ip, 0.1, false), ip.g_min_uS);
        SoftBoundsParams sp;
        QVERIFY(std::abs(soft_bounds_pulse_uS(sp, 10.0, true, 0) - (10.0 + 0.05 * 10.0)) < 1e-12);
        QVERIFY(std::abs(soft_bounds_pulse_uS(sp, 10.0, false, 0) - (10.0 - 0.05 * 10.0)) < 1e-12);
    }

    // Issue 18: the explorer characterises every family with the pulses training uses. Devices
    // with a deterministic pulse follow it exactly; RRAM rises along its curve; only PCM has
    // the density-evolution model and drifts.
    void everyFamilyCharacterises() {
        CharacterisationOptions o;
        o.devices = 500;
        o.init_std_uS = 0;
        o.read_noise = false;
        o.traces = 1;
        o.drift_times_s = {38.6, 1e5};
        IdealParams ip;
        const auto ideal = characterise_device({ip}, o);
        QCOMPARE(ideal.family, std::string("ideal"));
        QVERIFY(ideal.model_mean_uS.empty() && !to_json(ideal).contains("check"));
        SoftBoundsParams sp;
        const auto soft = characterise_device({sp}, o);
        double g_ideal = o.init_uS, g_soft = o.init_uS;
        for (int k = 0; k < o.pulses; ++k) {
            g_ideal = ideal_pulse_uS(ip, g_ideal, true);
            g_soft = soft_bounds_pulse_uS(sp, g_soft, true, 0);
            QVERIFY2(std::abs(ideal.mean_uS[k] - g_ideal) < 1e-5 && ideal.std_uS[k] < 1e-5,
                     qPrintable(QString("ideal pulse %1: %2").arg(k + 1).arg(ideal.mean_uS[k])));
            QVERIFY2(std::abs(soft.mean_uS[k] - g_soft) < 1e-5,
                     qPrintable(QString("soft pulse %1: %2").arg(k + 1).arg(soft.mean_uS[k])));
            // No drift: every state keeps its conductance.
            QCOMPARE(ideal.drift_mean_uS[k][1], ideal.drift_mean_uS[k][0]);
        }
        RramParams rp;
        const auto rram = characterise_device({rp}, o);
        for (int k = 1; k < o.pulses; ++k)
            QVERIFY2(rram.mean_uS[k] > rram.mean_uS[k - 1] && rram.std_uS[k] > 0 &&
                         rram.mean_uS[k] < 1.5 * rp.g_max_uS,
                     qPrintable(QString("rram pulse %1: %2 ± %3")
                                    .arg(k + 1)
                                    .arg(rram.mean_uS[k])
                                    .arg(rram.std_uS[k])));
        const auto pcm = characterise_device({PcmParams{}}, o);
        QVERIFY(!pcm.model_mean_uS.empty() && to_json(pcm).contains("check"));
        QVERIFY(pcm.drift_mean_uS.back()[1] < 0.9 * pcm.drift_mean_uS.back()[0]);
    }

    void badParametersRejectedByName() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        expect_rejected(
            [&] {
                PcmParams p;
                p.mu_g = nan;
                p.validate();
            },
            "device.mu_g");
        expect_rejected(
            [&] {
                PcmParams p;
                p.reset_std_uS = -0.1;
                p.validate();
            },
            "device.reset_std_uS");
        expect_rejected(
            [&] {
                PcmParams p;
                p.nu_std = -1;
                p.validate();
            },
            "device.nu_std");
        expect_rejected(
            [&] {
                PcmParams p;
                p.g_min_uS = 30;
                p.validate();
            },
            "device.g_min_uS");
        expect_rejected(
            [&] {
                RramParams p;
                p.levels = 0;
                p.validate();
            },
            "device.levels");
        expect_rejected(
            [&] {
                RramParams p;
                p.g_max_uS = 0.2;
                p.validate();
            },
            "device.g_min_uS");
        expect_rejected(
            [&] {
                IdealParams p;
                p.dg_uS = 0;
                p.validate();
            },
            "device.dg_uS");
        expect_rejected(
            [&] {
                SoftBoundsParams p;
                p.alpha = 2;
                p.validate();
            },
            "device.alpha");
        expect_rejected(
            [&] {
                TileConfig c;
                c.peripherals.dac_bits = 1;
                c.validate();
            },
            "tile.peripherals.dac_bits");
        expect_rejected(
            [&] {
                TileConfig c;
                c.peripherals.adc_bits = -3;
                c.validate();
            },
            "tile.peripherals.adc_bits");
        expect_rejected(
            [&] {
                TileConfig c;
                c.init_std_uS = -1;
                c.validate();
            },
            "tile.init_std_uS");
        expect_rejected(
            [&] {
                TileConfig c;
                c.beta_per_uS = 0;
                c.validate();
            },
            "tile.beta_per_uS");
        expect_rejected(
            [&] {
                CharacterisationOptions o;
                o.devices = 0;
                o.validate();
            },
            "device.devices");
        // The message states the allowed range.
        try {
            PcmParams p;
            p.t0_s = -1;
            p.validate();
            QFAIL("t0_s = -1 accepted");
        } catch (const InputError& e) {
            QVERIFY(QString(e.what()).contains("1000000"));
        }
    }

    void jsonRoundTripAndUnknownKeys() {
        for (const char* family : {"pcm", "rram", "ideal", "soft-bounds"}) {
            const DeviceParams d = DeviceParams::of_family(family);
            const nlohmann::json j = d;
            QCOMPARE(QString::fromStdString(j.at("family").get<std::string>()), QString(family));
            const DeviceParams back = j.get<DeviceParams>();
            QCOMPARE(nlohmann::json(back), j);
        }
        TileConfig c;
        c.mapping = WeightMapping::single;
        c.peripherals.adc_bits = 6;
        const nlohmann::json jc = c;
        QCOMPARE(nlohmann::json(jc.get<TileConfig>()), jc);
        expect_rejected(
            [] {
                nlohmann::json{{"family", "pcm"}, {"nu_mena", 0.1}}.get<DeviceParams>();
            },
            "nu_mena");
        expect_rejected(
            [] {
                nlohmann::json{{"family", "memristor"}}.get<DeviceParams>();
            },
            "device.family");
        expect_rejected(
            [] {
                nlohmann::json{{"read_nosie", true}}.get<TileConfig>();
            },
            "read_nosie");
        expect_rejected(
            [] {
                nlohmann::json{{"mapping", "triple"}}.get<TileConfig>();
            },
            "tile.mapping");
        expect_rejected(
            [] {
                nlohmann::json{{"family", "pcm"}, {"g_max_uS", "big"}}.get<DeviceParams>();
            },
            "g_max_uS");
    }
};

QTEST_GUILESS_MAIN(TstDeviceModels)
#include "tst_device_models.moc"
