#!/bin/sh
# Makes the Java keytool PKCS#12 fixtures of this folder (README.md says
# what each holds).  Needs a JDK (keytool); run from this folder:
#   sh make-java.sh
# Outputs are committed; the tests never run keytool (CI need not have Java).
set -e
rm -f java-keystore.p12 java-truststore.p12
# A key store with two private keys (its default store type since Java 9 is
# PKCS12; written here explicitly): an EC P-256 key "server" and an RSA key
# "second", each with a self-signed certificate.
keytool -genkeypair -storetype PKCS12 -keystore java-keystore.p12 -storepass changeit \
    -alias server -keyalg EC -groupname secp256r1 -dname "CN=localhost, O=tern test" \
    -ext san=dns:localhost -validity 7300 -startdate 2026/01/01
keytool -genkeypair -storetype PKCS12 -keystore java-keystore.p12 -storepass changeit \
    -alias second -keyalg RSA -keysize 2048 -dname "CN=second, O=tern test" \
    -validity 7300 -startdate 2026/01/01
# A trust store: the test root CA, imported as a trusted certificate entry.
keytool -importcert -noprompt -storetype PKCS12 -keystore java-truststore.p12 -storepass changeit \
    -alias testroot -file ../certs/root-ca.crt
