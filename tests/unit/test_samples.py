"""The checked-in sample configuration and policy files are up to date."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
ETC = ROOT / 'etc' / 'karbor'

# The generators' own entry points, run in a fresh interpreter so that
# options registered by other tests cannot leak into the samples.
_CONFIG_GENERATOR = 'from oslo_config.generator import main; main()'
_POLICY_GENERATOR = ('from oslo_policy.generator import generate_sample; '
                     'generate_sample()')


def _generate(code, generator_conf, output):
    result = subprocess.run(
        [sys.executable, '-W', 'ignore', '-c', code,
         '--config-file', str(ETC / generator_conf),
         '--output-file', str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return output.read_text()


def test_samples_are_up_to_date(tmp_path):
    stale = []
    for code, generator_conf, sample, tox_env in (
            (_CONFIG_GENERATOR, 'karbor-config-generator.conf',
             'karbor.conf.sample', 'genconfig'),
            (_POLICY_GENERATOR, 'karbor-policy-generator.conf',
             'policy.yaml.sample', 'genpolicy')):
        generated = _generate(code, generator_conf, tmp_path / sample)
        if generated != (ETC / sample).read_text():
            stale.append('etc/karbor/%s is out of date: run tox -e %s'
                         % (sample, tox_env))
    assert not stale, '; '.join(stale) + (
        ' (run tox -e genconfig/genpolicy and commit the result)')
