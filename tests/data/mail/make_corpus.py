#!/usr/bin/env python3
"""Build the mail corpus used by the intake tests (run once; outputs are committed).

PGP messages are made with the throwaway keys in tests/data/gpg (gpg must be
on PATH). Usage: python3 tests/data/mail/make_corpus.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GPG = os.path.join(HERE, '..', 'gpg')
SHARED = os.path.join(HERE, '..', '..', '..', '..', 'shared', 'data', 'feeds')


def write(name, text, binary=False):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(text if binary else text.encode('utf-8'))


def gpg(home, *args, data=None):
    r = subprocess.run(['gpg', '--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback',
                        '--passphrase', '', '--trust-model', 'always'] + list(args),
                       input=data, capture_output=True, check=True)
    return r.stdout


def crlf(b):
    return b.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')


HDR = ('From: Alice Reporter <alice@ministere.example.fr>\n'
       'To: CERT <cert@vigie.test>\n'
       'Date: Fri, 27 Nov 2026 10:00:00 +0100\n')


def main():
    write('01-plain.eml', HDR +
          'Subject: Suspicious connections from 198.51.100.23\n'
          'Message-ID: <plain-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: text/plain; charset=UTF-8\n'
          'Content-Transfer-Encoding: 8bit\n\n'
          'Bonjour,\n\nNous observons des connexions répétées depuis 198.51.100.23 vers\n'
          'notre serveur www.ministere.example.fr depuis ce matin.\n\nAlice\n')
    write('02-alternative.eml', HDR +
          'Subject: Phishing page imitating our portal\n'
          'Message-ID: <alt-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: multipart/alternative; boundary="alt-b"\n\n'
          '--alt-b\nContent-Type: text/plain; charset=UTF-8\n\n'
          'A phishing page at hxxps://portail-ministere[.]example[.]com/login imitates our portal.\n'
          '--alt-b\nContent-Type: text/html; charset=UTF-8\n\n'
          '<html><body><p>A phishing page <b>imitates</b> our portal.</p></body></html>\n'
          '--alt-b--\n')
    write('03-html-only.eml', HDR +
          'Subject: HTML only\n'
          'Message-ID: <html-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: text/html; charset=ISO-8859-1\n'
          'Content-Transfer-Encoding: quoted-printable\n\n'
          '<html><head><title>x</title><style>p{color:red}</style><script>alert("x")</script></head>\n'
          '<body><p>Caf=E9 &amp; cr=E8me &lt;ok&gt;</p><div>Second&nbsp;line</div>\n'
          '<!-- hidden comment --><a href=3D"https://evil.example/x">click</a>\n'
          '<img src=3D"x" onerror=3D"alert(1)"></body></html>\n')
    write('04-attachments.eml', HDR +
          'Subject: Logs and sample attached\n'
          'Message-ID: <att-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: multipart/mixed; boundary="mix-b"\n\n'
          '--mix-b\nContent-Type: text/plain; charset=UTF-8\n\nSee the attached files.\n'
          '--mix-b\nContent-Type: text/plain; charset=UTF-8; name="access.log"\n'
          'Content-Disposition: attachment; filename="access.log"\n\n'
          '198.51.100.23 - - [27/Nov/2026:09:00:00 +0100] "GET /admin HTTP/1.1" 403 12\n'
          '--mix-b\nContent-Type: application/octet-stream; name="../../etc/evil.exe"\n'
          'Content-Disposition: attachment; filename="../../etc/evil.exe"\n'
          'Content-Transfer-Encoding: base64\n\n'
          'TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=\n'
          '--mix-b--\n')
    write('05-forwarded.eml', HDR +
          'Subject: Fwd: Urgent invoice\n'
          'Message-ID: <fwd-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: multipart/mixed; boundary="fwd-b"\n\n'
          '--fwd-b\nContent-Type: text/plain; charset=UTF-8\n\nForwarding a phishing mail we received.\n'
          '--fwd-b\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n'
          'From: "Billing" <billing@phish.example>\nTo: agent@ministere.example.fr\n'
          'Subject: Urgent invoice\nDate: Thu, 26 Nov 2026 18:00:00 +0000\n'
          'Message-ID: <inner-1@phish.example>\nMIME-Version: 1.0\n'
          'Content-Type: text/plain; charset=UTF-8\n\nPay now at http://pay.phish.example/inv\n'
          '--fwd-b--\n')
    write('11-broken-mime.eml', HDR +
          'Subject: Broken MIME\n'
          'Message-ID: <broken-1@ministere.example.fr>\n'
          'MIME-Version: 1.0\n'
          'Content-Type: multipart/mixed\n\n'
          '--nobody\nContent-Type: text/plain\n\nThe boundary parameter is missing\n'
          '--nobody\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n'
          '%%%% not base64 at all %%%%\n')
    many = ''.join('X-Filler-%d: %s\n' % (i, 'v' * 20) for i in range(1500))
    write('12-huge-headers.eml', HDR + many +
          'Subject: Too many headers\nMessage-ID: <huge-1@ministere.example.fr>\n\nbody\n')
    write('12b-long-header.eml', HDR + 'X-Long: ' + 'a' * 70000 + '\n'
          'Subject: One enormous header\nMessage-ID: <huge-2@ministere.example.fr>\n\nbody\n')
    write('13-wrong-charset.eml', (HDR +
          'Subject: Wrong charset\nMessage-ID: <cs-1@ministere.example.fr>\nMIME-Version: 1.0\n'
          'Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n').encode() +
          'Fichier modifié à 10h\n'.encode('latin-1'), binary=True)
    write('14-missing-charset.eml', (HDR +
          'Subject: Missing charset\nMessage-ID: <cs-2@ministere.example.fr>\nMIME-Version: 1.0\n'
          'Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n').encode() +
          'Problème détecté\n'.encode('latin-1'), binary=True)
    write('15-unknown-charset.eml', HDR +
          'Subject: Unknown charset\nMessage-ID: <cs-3@ministere.example.fr>\nMIME-Version: 1.0\n'
          'Content-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: 8bit\n\n'
          'Sécurité compromise\n')
    write('16-rfc2047-subject.eml', HDR +
          'Subject: =?ISO-8859-1?Q?Incident_s=E9curit=E9?= =?UTF-8?B?4oCUIHVyZ2VudA==?=\n'
          'Message-ID: <enc-subj-1@ministere.example.fr>\n\nbody\n')
    write('18-no-message-id.eml', 'From: bob@pme.example\nTo: cert@vigie.test\n'
          'Subject: No message id\n\nMy small business website was hacked.\n')
    write('19-bounce.eml', 'From: MAILER-DAEMON@mx.example\nTo: cert@vigie.test\n'
          'Subject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\n'
          'Message-ID: <bounce-1@mx.example>\n\nThe message could not be delivered.\n')
    # X-ARF v3 sample inside a mail, and an ARF (RFC 5965) sample
    xarf = os.path.join(SHARED, 'xarf', 'abusix-xarf-v3', 'samples', 'positive', '3', 'phishing_sample.json')
    if os.path.exists(xarf):
        with open(xarf) as f:
            js = f.read()
        write('20-xarf.eml', 'From: abuse-reports@abusix.example\nTo: cert@vigie.test\n'
              'Subject: [X-ARF] phishing report\nMessage-ID: <xarf-1@abusix.example>\n'
              'X-XARF: PLAIN\nMIME-Version: 1.0\n'
              'Content-Type: multipart/mixed; boundary="xarf-b"\n\n'
              '--xarf-b\nContent-Type: text/plain; charset=UTF-8\n\nThis is an X-ARF report.\n'
              '--xarf-b\nContent-Type: application/json; name="xarf.json"\n'
              'Content-Disposition: attachment; filename="xarf.json"\n\n' + js + '\n--xarf-b--\n')
    arf = os.path.join(SHARED, 'arf', 'sisimai-set-of-emails', 'maildir', 'bsd', 'arf-01.eml')
    if os.path.exists(arf):
        shutil.copy(arf, os.path.join(HERE, '21-arf.eml'))

    home = tempfile.mkdtemp()
    try:
        for k in ('cert-secret.asc', 'reporter-secret.asc', 'stranger-secret.asc'):
            gpg(home, '--import', os.path.join(GPG, k))
        content = (b'Content-Type: text/plain; charset=UTF-8\n'
                   b'Content-Transfer-Encoding: quoted-printable\n\n'
                   b'Signed report: the server 203.0.113.7 is compromised.\n')

        def signed(name, signer, tamper=False, msgid='signed'):
            sig = gpg(home, '--armor', '--detach-sign', '--local-user', signer, '--digest-algo', 'SHA256',
                      data=crlf(content.rstrip(b'\n')))
            body = content.replace(b'compromised', b'fine') if tamper else content
            msg = (HDR.encode() + b'Subject: Signed report\nMessage-ID: <' + msgid.encode() +
                   b'@ministere.example.fr>\nMIME-Version: 1.0\n'
                   b'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature";'
                   b' boundary="sig-b"\n\n--sig-b\n' + body.rstrip(b'\n') + b'\n--sig-b\n'
                   b'Content-Type: application/pgp-signature; name="signature.asc"\n\n' + sig +
                   b'\n--sig-b--\n')
            write(name, msg, binary=True)
        signed('06-signed.eml', 'alice@ministere.example.fr', msgid='signed-1')
        signed('07-signed-unknown-key.eml', 'mallory@stranger.example', msgid='signed-2')
        signed('10-signed-bad.eml', 'alice@ministere.example.fr', tamper=True, msgid='signed-3')

        def encrypted(name, sign, msgid):
            inner = (b'Content-Type: text/plain; charset=UTF-8\n\n'
                     b'Encrypted report: credentials of admin@ministere.example.fr leaked.\n')
            args = ['--armor', '--encrypt', '--recipient', 'cert@vigie.test']
            if sign:
                args += ['--sign', '--local-user', 'alice@ministere.example.fr']
            ct = gpg(home, *args, data=inner)
            msg = (HDR.encode() + b'Subject: Encrypted report\nMessage-ID: <' + msgid.encode() +
                   b'@ministere.example.fr>\nMIME-Version: 1.0\n'
                   b'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="enc-b"\n\n'
                   b'--enc-b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n'
                   b'--enc-b\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n' + ct +
                   b'\n--enc-b--\n')
            write(name, msg, binary=True)
        encrypted('08-encrypted.eml', False, 'enc-1')
        encrypted('09-encrypted-signed.eml', True, 'enc-2')
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
